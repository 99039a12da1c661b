package dev.tandem.lease.domain;

import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.dhcp.DhcpOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Which configured options go into a reply (RFC 2131 §4.3.1, RFC 2132 §9.8). */
public final class ReplyOptions {

    private ReplyOptions() {}

    /**
     * With a parameter request list: the requested options that are configured, in the client's order, and the
     * subnet mask. Without one: every configured option. The subnet mask comes from the scope unless configured.
     */
    public static Map<Integer, byte[]> select(ScopeConfig scope, List<Integer> parameterRequestList) {
        Map<Integer, byte[]> configured = new LinkedHashMap<>();
        configured.put(DhcpOption.SUBNET_MASK.code(), scope.subnet().mask().toBytes());
        configured.putAll(scope.options());
        if (parameterRequestList == null || parameterRequestList.isEmpty()) {
            return configured;
        }
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        out.put(DhcpOption.SUBNET_MASK.code(), configured.get(DhcpOption.SUBNET_MASK.code()));
        for (int code : parameterRequestList) {
            byte[] value = configured.get(code);
            if (value != null) {
                out.put(code, value);
            }
        }
        return out;
    }
}

package dev.tandem.gateway.domain;

import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.MessageType;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.failover.LoadBalance;
import dev.tandem.protocol.failover.ServiceRules;
import dev.tandem.protocol.failover.ServiceRules.Kind;
import java.time.Instant;
import java.util.Arrays;

/**
 * Whether this server answers a client message of a scope in a failover relationship, from the relationship's state as
 * the coordinator published it ({@link ServiceRules}). No state known yet counts as STARTUP: nothing is answered.
 */
public final class FailoverFilter {

    private FailoverFilter() {}

    public static boolean answers(FailoverStatus status, DhcpMessage request, MessageType type, Instant now) {
        if (status == null) {
            return false;
        }
        FailoverState state = status.localState();
        FailoverState partner = status.partner();
        return ServiceRules.answers(
                state,
                partner,
                status.draining(now),
                "primary".equals(status.role()),
                "load-balance".equals(status.mode()),
                LoadBalance.Buckets.ofHex(status.hashBuckets()),
                kind(request, type),
                LoadBalance.bucket(hashKey(request)),
                request.secs(),
                status.loadBalanceMaxSeconds());
    }

    /** RFC 3074 / draft §9.8.2: the client identifier when present and not empty, else chaddr (hlen octets). */
    static byte[] hashKey(DhcpMessage request) {
        return request.clientIdentifier()
                .filter(id -> id.length > 0)
                .orElseGet(() -> Arrays.copyOf(request.hardwareAddress(), request.hardwareAddress().length));
    }

    static Kind kind(DhcpMessage m, MessageType type) {
        return switch (type) {
            case DISCOVER -> Kind.DISCOVER;
            case RELEASE -> Kind.RELEASE;
            case DECLINE -> Kind.DECLINE;
            case INFORM -> Kind.INFORM;
            default -> {
                if (m.serverIdentifier().isPresent()) {
                    yield Kind.REQUEST_SELECTING;
                }
                yield m.ciaddr().isAny() ? Kind.REQUEST_INIT_REBOOT : Kind.REQUEST_RENEWING;
            }
        };
    }
}

package dev.tandem.lease.service;

import dev.tandem.lease.domain.DnsIntent;
import dev.tandem.lease.domain.LeaseTimes;
import dev.tandem.lease.domain.ReplyOptions;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseReply.OptionValue;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.dhcp.DhcpOption;
import dev.tandem.protocol.net.Ipv4;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** The lease-service's replies as the gateway turns them into DHCP messages. */
final class LeaseReplies {

    private LeaseReplies() {}

    /**
     * An OFFER or ACK ({@code action}) of the address for the times, with the options the client asked for and, when
     * the client sent one and the server updates DNS, the client FQDN option of {@code dns}.
     */
    static LeaseReply reply(
            String action, Ipv4 address, LeaseTimes times, ScopeConfig scope, LeaseRequest r, DnsIntent dns) {
        List<OptionValue> options = new ArrayList<>();
        for (Map.Entry<Integer, byte[]> e :
                ReplyOptions.select(scope, r.parameterRequestList()).entrySet()) {
            options.add(new OptionValue(e.getKey(), HexFormat.of().formatHex(e.getValue())));
        }
        if (dns != null && dns.answer() != null) {
            options.add(new OptionValue(
                    DhcpOption.CLIENT_FQDN.code(), HexFormat.of().formatHex(dns.answer())));
        }
        return new LeaseReply(
                LeaseReply.VERSION,
                action,
                address == null ? null : address.toString(),
                times == null ? null : times.lease(),
                times == null ? null : times.renewal(),
                times == null ? null : times.rebinding(),
                options,
                null);
    }

    /** A NAK saying why (option 56, RFC 2132 §9.9). */
    static LeaseReply nak(String message) {
        String hex = HexFormat.of().formatHex(message.getBytes(StandardCharsets.US_ASCII));
        return new LeaseReply(
                LeaseReply.VERSION,
                "NAK",
                null,
                null,
                null,
                null,
                List.of(new OptionValue(DhcpOption.MESSAGE.code(), hex)),
                message);
    }
}

package dev.tandem.gateway.domain;

import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseReply.OptionValue;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.DhcpOption;
import dev.tandem.protocol.dhcp.MessageType;
import dev.tandem.protocol.net.Ipv4;
import java.util.HexFormat;
import java.util.Optional;

/** Turns the lease-service's decision into the DHCP reply (RFC 2131 §4.3.1 table 3). */
public final class ReplyBuilder {

    private ReplyBuilder() {}

    /** The reply, or empty when the decision is to send nothing. */
    public static Optional<DhcpMessage> build(DhcpMessage request, LeaseReply decision, Ipv4 serverId) {
        MessageType type;
        switch (decision.action()) {
            case "OFFER" -> type = MessageType.OFFER;
            case "ACK" -> type = MessageType.ACK;
            case "NAK" -> type = MessageType.NAK;
            default -> {
                return Optional.empty();
            }
        }
        DhcpMessage.Builder reply = request.replyBuilder(type);
        reply.option(DhcpOption.SERVER_IDENTIFIER, serverId.toBytes());
        if (type == MessageType.NAK) {
            // §4.3.2: a NAK through a relay asks the relay to broadcast it.
            if (!request.giaddr().isAny()) {
                reply.flags(request.flags() | DhcpMessage.FLAG_BROADCAST);
            }
        } else {
            if (type == MessageType.ACK) {
                reply.ciaddr(request.ciaddr());
            }
            if (decision.address() != null) {
                reply.yiaddr(Ipv4.parse(decision.address()));
            }
            if (decision.leaseTime() != null) {
                reply.option(DhcpOption.LEASE_TIME, u32(decision.leaseTime()));
                reply.option(DhcpOption.RENEWAL_TIME, u32(decision.renewalTime()));
                reply.option(DhcpOption.REBINDING_TIME, u32(decision.rebindingTime()));
            }
        }
        for (OptionValue option : decision.options()) {
            reply.option(option.code(), HexFormat.of().parseHex(option.value()));
        }
        return Optional.of(reply.build());
    }

    private static byte[] u32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}

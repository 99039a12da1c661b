package dev.tandem.gateway.domain;

import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.MessageType;
import dev.tandem.protocol.net.Ipv4;

/**
 * Where a reply goes (RFC 2131 §4.1): to the relay at giaddr on the server port; a DHCPNAK without a relay is
 * broadcast; to ciaddr when the client has an address; otherwise broadcast. Unicast to yiaddr without an ARP entry
 * is not possible from Java, so a client without an address always gets a broadcast, which every client accepts.
 */
public final class ReplyAddressing {

    public static final int CLIENT_PORT = 68;

    private ReplyAddressing() {}

    /** The destination of the reply. */
    public record Destination(Ipv4 address, int port, boolean broadcast) {}

    public static Destination destination(
            DhcpMessage request, MessageType replyType, int relayPort, Ipv4 broadcastAddress) {
        if (!request.giaddr().isAny()) {
            return new Destination(request.giaddr(), relayPort, false);
        }
        if (replyType == MessageType.NAK) {
            return new Destination(broadcastAddress, CLIENT_PORT, true);
        }
        if (!request.ciaddr().isAny()) {
            return new Destination(request.ciaddr(), CLIENT_PORT, false);
        }
        return new Destination(broadcastAddress, CLIENT_PORT, true);
    }
}

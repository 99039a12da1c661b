package dev.tandem.gateway.service;

import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.MessageType;
import dev.tandem.protocol.net.Ipv4;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One line per client exchange, in the words of ISC dhcpd's log, so that operators grep Tandem's as they grep ISC's:
 *
 * <pre>
 * DHCPOFFER on 198.18.131.20 to 02:42:c0:a8:00:02 (laptop) via 198.18.131.1 lease 3600 s server dhcp-a
 * DHCPACK on 198.18.131.20 to 02:42:c0:a8:00:02 (laptop) via 198.18.131.1 lease 3600 s server dhcp-a
 * DHCPNAK on 198.18.131.77 to 02:42:c0:a8:00:02 via 198.18.131.1: requested address not available server dhcp-a
 * DHCPRELEASE of 198.18.131.20 from 02:42:c0:a8:00:02 (laptop) via 198.18.131.1: released server dhcp-a
 * DHCPDISCOVER from 02:42:c0:a8:00:02 via 198.18.131.1: no reply, pool-exhausted server dhcp-a
 * </pre>
 *
 * "via" is the relay (giaddr), or the sender of a directly attached client. The lines go to the logger category
 * {@code tandem.clients} at INFO; set that category to WARN to turn them off. What a client sends (its hostname) is
 * logged with control characters escaped, so that no client can forge a line.
 */
final class ClientLog {

    static final Logger LOG = Logger.getLogger("tandem.clients");

    private final String server;

    ClientLog(String server) {
        this.server = server;
    }

    boolean enabled() {
        return LOG.isInfoEnabled();
    }

    /** The server answered the client (OFFER, ACK or NAK). */
    void answered(DhcpMessage request, String source, DhcpMessage reply, String reason) {
        if (enabled()) {
            LOG.info(answer(request, source, reply, reason));
        }
    }

    /** The client's request got no answer: released, declined, or why not (a drop, a state that does not answer). */
    void unanswered(DhcpMessage request, MessageType type, String source, String reason) {
        if (enabled()) {
            LOG.info(noAnswer(request, type, source, reason));
        }
    }

    String answer(DhcpMessage request, String source, DhcpMessage reply, String reason) {
        MessageType type = reply.messageType().orElseThrow();
        StringBuilder line = new StringBuilder("DHCP").append(type.name());
        if (type == MessageType.NAK) {
            line.append(" on ")
                    .append(request.requestedAddress().orElse(request.ciaddr()))
                    .append(" to ")
                    .append(mac(request))
                    .append(" via ")
                    .append(via(request, source))
                    .append(": ")
                    .append(printable(reason == null ? "refused" : reason));
        } else {
            Ipv4 address = reply.yiaddr().isAny() ? request.ciaddr() : reply.yiaddr();
            line.append(" on ").append(address).append(" to ").append(mac(request));
            host(line, request);
            line.append(" via ").append(via(request, source));
            reply.leaseTime()
                    .ifPresent(seconds -> line.append(" lease ").append(seconds).append(" s"));
        }
        return line.append(" server ").append(server).toString();
    }

    String noAnswer(DhcpMessage request, MessageType type, String source, String reason) {
        StringBuilder line = new StringBuilder("DHCP").append(type.name());
        if (type == MessageType.RELEASE || type == MessageType.DECLINE) {
            Ipv4 address = type == MessageType.RELEASE
                    ? request.ciaddr()
                    : request.requestedAddress().orElse(Ipv4.ANY);
            line.append(" of ").append(address).append(" from ").append(mac(request));
            host(line, request);
            line.append(" via ").append(via(request, source)).append(": ").append(printable(reason));
        } else {
            line.append(" from ").append(mac(request));
            host(line, request);
            line.append(" via ")
                    .append(via(request, source))
                    .append(": no reply, ")
                    .append(printable(reason));
        }
        return line.append(" server ").append(server).toString();
    }

    private static void host(StringBuilder line, DhcpMessage request) {
        Optional<String> host = request.hostName();
        host.ifPresent(h -> line.append(" (").append(printable(h)).append(')'));
    }

    private static String via(DhcpMessage request, String source) {
        return request.giaddr().isAny() ? source : request.giaddr().toString();
    }

    static String mac(DhcpMessage request) {
        byte[] hw = request.hardwareAddress();
        StringBuilder out = new StringBuilder(hw.length * 3);
        for (byte b : hw) {
            if (out.length() > 0) {
                out.append(':');
            }
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }

    /** What a client sent, with anything but printable ASCII escaped (\xNN). */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", (int) c & 0xff));
            }
        }
        return out.toString();
    }
}

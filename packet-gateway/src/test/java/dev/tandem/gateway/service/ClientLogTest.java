package dev.tandem.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.gateway.domain.ReplyBuilder;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.DhcpOption;
import dev.tandem.protocol.dhcp.MessageType;
import dev.tandem.protocol.net.Ipv4;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-client lines read as ISC dhcpd's do, whatever a client puts in its hostname. */
class ClientLogTest {

    static final Ipv4 SERVER_ID = Ipv4.parse("198.18.131.1");
    final ClientLog log = new ClientLog("dhcp-a");

    static DhcpMessage request(MessageType type, String giaddr, String ciaddr, String host) {
        DhcpMessage.Builder b = DhcpMessage.builder()
                .xid(7)
                .giaddr(Ipv4.parse(giaddr))
                .ciaddr(Ipv4.parse(ciaddr))
                .chaddr(new byte[] {2, 0x42, (byte) 0xc0, (byte) 0xa8, 0, 2})
                .messageType(type);
        if (host != null) {
            b.option(DhcpOption.HOST_NAME, host);
        }
        return b.build();
    }

    static DhcpMessage reply(DhcpMessage request, LeaseReply decision) {
        return ReplyBuilder.build(request, decision, SERVER_ID).orElseThrow();
    }

    @Test
    void offersAndAcksSayWhichAddressToWhomViaWhichRelayForHowLong() {
        DhcpMessage discover = request(MessageType.DISCOVER, "198.18.131.1", "0.0.0.0", "laptop");
        DhcpMessage offer =
                reply(discover, new LeaseReply(1, "OFFER", "198.18.131.20", 3600L, 1800L, 3150L, List.of(), null));
        assertThat(log.answer(discover, "198.18.0.2:67", offer, null))
                .isEqualTo("DHCPOFFER on 198.18.131.20 to 02:42:c0:a8:00:02 (laptop) via 198.18.131.1 lease 3600 s"
                        + " server dhcp-a");

        DhcpMessage renewal = request(MessageType.REQUEST, "0.0.0.0", "198.18.131.20", null);
        DhcpMessage ack = reply(renewal, new LeaseReply(1, "ACK", "198.18.131.20", 600L, 300L, 525L, List.of(), null));
        assertThat(log.answer(renewal, "198.18.131.20:68", ack, null))
                .as("a direct client is reached via its own address")
                .isEqualTo("DHCPACK on 198.18.131.20 to 02:42:c0:a8:00:02 via 198.18.131.20:68 lease 600 s server"
                        + " dhcp-a");
    }

    @Test
    void aNakSaysWhy() {
        DhcpMessage request = DhcpMessage.builder()
                .xid(7)
                .giaddr(Ipv4.parse("198.18.131.1"))
                .chaddr(new byte[] {2, 0x42, (byte) 0xc0, (byte) 0xa8, 0, 2})
                .messageType(MessageType.REQUEST)
                .option(
                        DhcpOption.REQUESTED_ADDRESS,
                        Ipv4.parse("198.18.131.77").toBytes())
                .build();
        DhcpMessage nak = reply(
                request,
                new LeaseReply(1, "NAK", null, null, null, null, List.of(), "requested address not available"));
        assertThat(log.answer(request, "198.18.0.2:67", nak, "requested address not available"))
                .isEqualTo("DHCPNAK on 198.18.131.77 to 02:42:c0:a8:00:02 via 198.18.131.1: requested address not"
                        + " available server dhcp-a");
    }

    @Test
    void releasesDeclinesAndUnansweredRequestsSayWhatBecameOfThem() {
        assertThat(log.noAnswer(
                        request(MessageType.RELEASE, "0.0.0.0", "198.18.131.20", "laptop"),
                        MessageType.RELEASE,
                        "198.18.131.20:68",
                        "released"))
                .isEqualTo("DHCPRELEASE of 198.18.131.20 from 02:42:c0:a8:00:02 (laptop) via 198.18.131.20:68:"
                        + " released server dhcp-a");
        assertThat(log.noAnswer(
                        request(MessageType.DISCOVER, "198.18.131.1", "0.0.0.0", null),
                        MessageType.DISCOVER,
                        "198.18.0.2:67",
                        "pool-exhausted"))
                .isEqualTo("DHCPDISCOVER from 02:42:c0:a8:00:02 via 198.18.131.1: no reply, pool-exhausted server"
                        + " dhcp-a");
    }

    @Test
    void aHostnameCannotForgeALine() {
        DhcpMessage discover =
                request(MessageType.DISCOVER, "198.18.131.1", "0.0.0.0", "evil\nDHCPACK on 10.0.0.1 to x");
        assertThat(log.noAnswer(discover, MessageType.DISCOVER, "198.18.0.2:67", "no-scope"))
                .doesNotContain("\n")
                .contains("(evil\\x0aDHCPACK on 10.0.0.1 to x)");
    }
}

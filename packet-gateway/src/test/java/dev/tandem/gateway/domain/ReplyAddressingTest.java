package dev.tandem.gateway.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.gateway.domain.ReplyAddressing.Destination;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.MessageType;
import dev.tandem.protocol.net.Ipv4;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 2131 §4.1, "the server sends": every combination of giaddr, ciaddr, broadcast bit and reply type. */
class ReplyAddressingTest {

    @ParameterizedTest(name = "giaddr={0} ciaddr={1} broadcast={2} {3} -> {4}:{5}")
    @CsvSource({
        "192.0.2.1, 0.0.0.0,    false, OFFER, 192.0.2.1,       67",
        "192.0.2.1, 0.0.0.0,    true,  OFFER, 192.0.2.1,       67",
        "192.0.2.1, 192.0.2.50, false, ACK,   192.0.2.1,       67",
        "192.0.2.1, 0.0.0.0,    false, NAK,   192.0.2.1,       67",
        "0.0.0.0,   192.0.2.50, false, ACK,   192.0.2.50,      68",
        "0.0.0.0,   192.0.2.50, true,  ACK,   192.0.2.50,      68",
        "0.0.0.0,   192.0.2.50, false, NAK,   255.255.255.255, 68",
        "0.0.0.0,   0.0.0.0,    true,  OFFER, 255.255.255.255, 68",
        "0.0.0.0,   0.0.0.0,    false, OFFER, 255.255.255.255, 68",
        "0.0.0.0,   0.0.0.0,    false, ACK,   255.255.255.255, 68",
    })
    void addressesRepliesPerRfc2131(
            String giaddr, String ciaddr, boolean broadcast, MessageType type, String address, int port) {
        DhcpMessage request = DhcpMessage.builder()
                .giaddr(Ipv4.parse(giaddr))
                .ciaddr(Ipv4.parse(ciaddr))
                .flags(broadcast ? DhcpMessage.FLAG_BROADCAST : 0)
                .build();
        Destination d = ReplyAddressing.destination(request, type, 67, Ipv4.BROADCAST);
        assertThat(d.address()).isEqualTo(Ipv4.parse(address));
        assertThat(d.port()).isEqualTo(port);
    }
}

package dev.tandem.gateway.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseReply.OptionValue;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.DhcpOption;
import dev.tandem.protocol.dhcp.MessageType;
import dev.tandem.protocol.net.Ipv4;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyBuilderTest {

    static final Ipv4 SERVER = Ipv4.parse("192.0.2.1");

    static DhcpMessage request(String giaddr, String ciaddr) {
        return DhcpMessage.builder()
                .xid(7)
                .giaddr(Ipv4.parse(giaddr))
                .ciaddr(Ipv4.parse(ciaddr))
                .chaddr(new byte[] {2, 0, 0x5e, 0, 0, 1})
                .messageType(MessageType.REQUEST)
                .build();
    }

    @Test
    void offerCarriesAddressTimesServerIdAndOptions() {
        LeaseReply decision = new LeaseReply(
                1,
                "OFFER",
                "192.0.2.50",
                3600L,
                1800L,
                3150L,
                List.of(new OptionValue(1, "ffffff00"), new OptionValue(3, "c0000201")),
                null);
        DhcpMessage offer = ReplyBuilder.build(request("192.0.2.1", "0.0.0.0"), decision, SERVER)
                .orElseThrow();

        assertThat(offer.messageType()).contains(MessageType.OFFER);
        assertThat(offer.yiaddr()).isEqualTo(Ipv4.parse("192.0.2.50"));
        assertThat(offer.ciaddr()).isEqualTo(Ipv4.ANY);
        assertThat(offer.serverIdentifier()).contains(SERVER);
        assertThat(offer.leaseTime()).contains(3600L);
        assertThat(offer.options().get(DhcpOption.RENEWAL_TIME))
                .hasValueSatisfying(v -> assertThat(v).containsExactly(0, 0, 7, 8));
        assertThat(offer.options().get(DhcpOption.ROUTERS))
                .hasValueSatisfying(v -> assertThat(v).containsExactly(192, 0, 2, 1));
        assertThat(offer.xid()).isEqualTo(7);
    }

    @Test
    void ackKeepsTheClientsCiaddr() {
        LeaseReply decision = new LeaseReply(1, "ACK", "192.0.2.50", 3600L, 1800L, 3150L, List.of(), null);
        DhcpMessage ack = ReplyBuilder.build(request("0.0.0.0", "192.0.2.50"), decision, SERVER)
                .orElseThrow();
        assertThat(ack.ciaddr()).isEqualTo(Ipv4.parse("192.0.2.50"));
        assertThat(ack.yiaddr()).isEqualTo(Ipv4.parse("192.0.2.50"));
    }

    @Test
    void informAckHasNoLease() {
        LeaseReply decision =
                new LeaseReply(1, "ACK", null, null, null, null, List.of(new OptionValue(6, "c0000235")), null);
        DhcpMessage ack = ReplyBuilder.build(request("0.0.0.0", "192.0.2.50"), decision, SERVER)
                .orElseThrow();
        assertThat(ack.yiaddr()).isEqualTo(Ipv4.ANY);
        assertThat(ack.leaseTime()).isEmpty();
        assertThat(ack.options().has(DhcpOption.DOMAIN_NAME_SERVERS.code())).isTrue();
    }

    @Test
    void nakThroughARelayAsksForBroadcast() {
        LeaseReply decision =
                new LeaseReply(1, "NAK", null, null, null, null, List.of(new OptionValue(56, "6e6f")), "no");
        DhcpMessage nak = ReplyBuilder.build(request("192.0.2.1", "0.0.0.0"), decision, SERVER)
                .orElseThrow();
        assertThat(nak.messageType()).contains(MessageType.NAK);
        assertThat(nak.broadcastFlag()).isTrue();
        assertThat(nak.yiaddr()).isEqualTo(Ipv4.ANY);
        assertThat(nak.leaseTime()).isEmpty();
    }

    @Test
    void noneSendsNothing() {
        assertThat(ReplyBuilder.build(request("192.0.2.1", "0.0.0.0"), LeaseReply.none("pool-exhausted"), SERVER))
                .isEmpty();
    }
}

package dev.tandem.protocol.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressTest {

    @Test
    void parsesAndPrintsDottedQuads() {
        assertThat(Ipv4.parse("192.0.2.255").toString()).isEqualTo("192.0.2.255");
        assertThat(Ipv4.parse("255.255.255.255")).isEqualTo(Ipv4.BROADCAST);
        assertThat(Ipv4.parse("10.0.0.1").unsigned()).isEqualTo(0x0a000001L);
        assertThat(Ipv4.parse("200.0.0.1")).isGreaterThan(Ipv4.parse("10.0.0.1")); // unsigned order
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "a.b.c.d", "1..2.3", " 1.2.3.-4", "1.2.3.0004"})
    void refusesWhatIsNotADottedQuad(String text) {
        assertThatThrownBy(() -> Ipv4.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void subnetsKnowTheirAddresses() {
        Subnet subnet = Subnet.parse("192.0.2.0/24");
        assertThat(subnet.contains(Ipv4.parse("192.0.2.77"))).isTrue();
        assertThat(subnet.contains(Ipv4.parse("192.0.3.1"))).isFalse();
        assertThat(subnet.broadcast()).isEqualTo(Ipv4.parse("192.0.2.255"));
        assertThat(subnet.mask()).isEqualTo(Ipv4.parse("255.255.255.0"));
        assertThat(subnet.size()).isEqualTo(256);
        assertThat(subnet.overlaps(Subnet.parse("192.0.0.0/16"))).isTrue();
        assertThat(subnet.overlaps(Subnet.parse("192.0.3.0/24"))).isFalse();
        assertThat(Subnet.parse("0.0.0.0/0").contains(Ipv4.parse("8.8.8.8"))).isTrue();
    }

    @Test
    void refusesASubnetWithHostBits() {
        assertThatThrownBy(() -> Subnet.parse("192.0.2.1/24"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("192.0.2.0");
    }
}

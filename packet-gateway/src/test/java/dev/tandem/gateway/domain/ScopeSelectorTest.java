package dev.tandem.gateway.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.DhcpOption;
import dev.tandem.protocol.dhcp.SubOptions;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.protocol.net.Subnet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScopeSelectorTest {

    static final ServerSettings SETTINGS = ConfigValidator.validate(new ServerConfig(
            1,
            "dhcp-a",
            1,
            "192.0.2.1",
            30,
            60,
            List.of(
                    scope("192.0.2.0/24", "192.0.2.10"), scope("198.51.100.0/24", "198.51.100.10"),
                    scope("203.0.113.0/24", "203.0.113.10"), scope("10.1.0.0/16", "10.1.0.10"))));

    static ServerConfig.Scope scope(String subnet, String first) {
        return new ServerConfig.Scope(
                subnet, List.of(new ServerConfig.Range(first, first)), List.of(), 600, null, null, Map.of(), List.of());
    }

    static Optional<String> selected(DhcpMessage m, Optional<Subnet> direct) {
        return ScopeSelector.select(m, direct, SETTINGS).map(ScopeConfig::id);
    }

    @Test
    void subnetSelectionOptionWinsOverEverything() {
        DhcpMessage m = DhcpMessage.builder()
                .giaddr(Ipv4.parse("192.0.2.1"))
                .option(DhcpOption.SUBNET_SELECTION, "198.51.100.0")
                .option(
                        DhcpOption.RELAY_AGENT_INFORMATION,
                        SubOptions.encode(Map.of(
                                SubOptions.LINK_SELECTION,
                                Ipv4.parse("203.0.113.0").toBytes())))
                .build();
        assertThat(selected(m, Optional.empty())).contains("198.51.100.0/24");
    }

    @Test
    void linkSelectionWinsOverGiaddr() {
        DhcpMessage m = DhcpMessage.builder()
                .giaddr(Ipv4.parse("192.0.2.1"))
                .option(
                        DhcpOption.RELAY_AGENT_INFORMATION,
                        SubOptions.encode(Map.of(
                                SubOptions.LINK_SELECTION,
                                Ipv4.parse("203.0.113.0").toBytes())))
                .build();
        assertThat(selected(m, Optional.empty())).contains("203.0.113.0/24");
    }

    @Test
    void giaddrSelectsTheRelaysSubnet() {
        DhcpMessage m = DhcpMessage.builder().giaddr(Ipv4.parse("10.1.200.1")).build();
        assertThat(selected(m, Optional.of(Subnet.parse("192.0.2.0/24")))).contains("10.1.0.0/16");
    }

    @Test
    void ciaddrSelectsForAClientThatHasAnAddress() {
        DhcpMessage m = DhcpMessage.builder().ciaddr(Ipv4.parse("203.0.113.77")).build();
        assertThat(selected(m, Optional.of(Subnet.parse("192.0.2.0/24")))).contains("203.0.113.0/24");
    }

    @Test
    void directClientsGetTheListeningInterfacesSubnet() {
        DhcpMessage m = DhcpMessage.builder().build();
        assertThat(selected(m, Optional.of(Subnet.parse("192.0.2.0/24")))).contains("192.0.2.0/24");
        assertThat(selected(m, Optional.empty())).isEmpty();
    }

    @Test
    void anAddressOutsideEveryScopeSelectsNothing() {
        DhcpMessage m = DhcpMessage.builder().giaddr(Ipv4.parse("172.16.0.1")).build();
        assertThat(selected(m, Optional.empty())).isEmpty();
    }
}

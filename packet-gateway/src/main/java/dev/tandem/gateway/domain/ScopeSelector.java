package dev.tandem.gateway.domain;

import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.protocol.net.Subnet;
import java.util.Optional;

/**
 * Which scope a client message belongs to: the subnet selection option (RFC 3011 §3), else the relay's link
 * selection sub-option (RFC 3527 §3), else the relay address giaddr (RFC 2131 §4.3.1), else the client's own address
 * ciaddr, else the subnet configured for the listening interface.
 */
public final class ScopeSelector {

    private ScopeSelector() {}

    public static Optional<Ipv4> selectionAddress(DhcpMessage m, Optional<Subnet> directSubnet) {
        Optional<Ipv4> option118 = m.subnetSelection();
        if (option118.isPresent()) {
            return option118;
        }
        Optional<Ipv4> linkSelection = m.linkSelection();
        if (linkSelection.isPresent()) {
            return linkSelection;
        }
        if (!m.giaddr().isAny()) {
            return Optional.of(m.giaddr());
        }
        if (!m.ciaddr().isAny()) {
            return Optional.of(m.ciaddr());
        }
        return directSubnet.map(Subnet::network);
    }

    public static Optional<ScopeConfig> select(DhcpMessage m, Optional<Subnet> directSubnet, ServerSettings settings) {
        return selectionAddress(m, directSubnet).flatMap(settings::scopeFor);
    }
}

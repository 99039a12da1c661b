package dev.tandem.protocol.config;

import dev.tandem.protocol.net.Ipv4;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A validated server configuration. */
public record ServerSettings(
        String server,
        long revision,
        Ipv4 serverIdentifier,
        Duration offerTimeout,
        Duration declineProbation,
        List<ScopeConfig> scopes) {

    /** The scope whose subnet contains the address. */
    public Optional<ScopeConfig> scopeFor(Ipv4 address) {
        return scopes.stream().filter(s -> s.subnet().contains(address)).findFirst();
    }

    public Optional<ScopeConfig> scope(String id) {
        return scopes.stream().filter(s -> s.id().equals(id)).findFirst();
    }
}

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
        List<ScopeConfig> scopes,
        List<RelationshipConfig> relationships) {

    public ServerSettings(
            String server,
            long revision,
            Ipv4 serverIdentifier,
            Duration offerTimeout,
            Duration declineProbation,
            List<ScopeConfig> scopes) {
        this(server, revision, serverIdentifier, offerTimeout, declineProbation, scopes, List.of());
    }

    /** The relationship a scope belongs to, if any. */
    public Optional<RelationshipConfig> relationshipOf(String scopeId) {
        return relationships.stream().filter(r -> r.scopes().contains(scopeId)).findFirst();
    }

    public Optional<RelationshipConfig> relationship(String name) {
        return relationships.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The scope whose subnet contains the address. */
    public Optional<ScopeConfig> scopeFor(Ipv4 address) {
        return scopes.stream().filter(s -> s.subnet().contains(address)).findFirst();
    }

    public Optional<ScopeConfig> scope(String id) {
        return scopes.stream().filter(s -> s.id().equals(id)).findFirst();
    }
}

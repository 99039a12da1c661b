package dev.tandem.gateway.service;

import dev.tandem.protocol.bus.FailoverStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** This server's failover state per relationship, from the coordinator's compacted topic. */
@ApplicationScoped
public class FailoverStates {

    private final Map<String, FailoverStatus> byRelationship = new ConcurrentHashMap<>();

    public void update(FailoverStatus status) {
        byRelationship.put(status.relationship(), status);
    }

    public Optional<FailoverStatus> get(String relationship) {
        return Optional.ofNullable(byRelationship.get(relationship));
    }
}

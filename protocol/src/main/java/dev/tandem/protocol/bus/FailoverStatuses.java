package dev.tandem.protocol.bus;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest failover state of each relationship of one server, as read from its compacted
 * {@code tandem.<server>.failover-state} topic. Thread-safe; the gateway and the lease-service each keep one.
 */
public class FailoverStatuses {

    private static final ObjectMapper JSON = Json.mapper();

    private final Map<String, FailoverStatus> byRelationship = new ConcurrentHashMap<>();

    /**
     * Takes one record of the topic. Returns the status when it changed the relationship's state (worth a log line),
     * empty when it only refreshed it.
     *
     * @throws IllegalArgumentException the record is not FailoverStatus v1 JSON
     */
    public Optional<FailoverStatus> accept(String json) {
        FailoverStatus status;
        try {
            status = JSON.readValue(json, FailoverStatus.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a FailoverStatus v1 record: " + e.getMessage(), e);
        }
        FailoverStatus before = byRelationship.put(status.relationship(), status);
        return before == null || !before.state().equals(status.state()) ? Optional.of(status) : Optional.empty();
    }

    public Optional<FailoverStatus> get(String relationship) {
        return Optional.ofNullable(byRelationship.get(relationship));
    }

    /** When the newest state held was published (the coordinator republishes every state every second). */
    public Optional<java.time.Instant> newest() {
        return byRelationship.values().stream()
                .map(FailoverStatus::updatedAt)
                .filter(java.util.Objects::nonNull)
                .max(java.util.Comparator.naturalOrder());
    }
}

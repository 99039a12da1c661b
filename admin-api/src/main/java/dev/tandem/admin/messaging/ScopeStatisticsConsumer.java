package dev.tandem.admin.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.ScopeStatistics;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** The newest address counts of every scope of every server, read from the compacted statistics topic. */
@ApplicationScoped
public class ScopeStatisticsConsumer {

    private static final ObjectMapper JSON = Json.mapper();

    private final Map<String, ScopeStatistics> latest = new ConcurrentHashMap<>();

    @Incoming("scope-statistics")
    public void consume(String json) {
        try {
            ScopeStatistics s = JSON.readValue(json, ScopeStatistics.class);
            latest.merge(s.key(), s, (old, now) -> now.at().isBefore(old.at()) ? old : now);
        } catch (Exception e) {
            Log.warnf("Scope statistics skipped: %s", e.getMessage());
        }
    }

    public Optional<ScopeStatistics> of(String server, String subnet) {
        return Optional.ofNullable(latest.get(server + "/" + subnet));
    }
}

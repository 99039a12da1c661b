package dev.tandem.admin.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.ScopeStatistics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The newest address counts of every scope of every server, read from the compacted statistics topic. Also exported
 * under the names and labels of Kea's Stork exporter ({@code kea_dhcp4_addresses_total{server,subnet}},
 * {@code ..._assigned_total}, {@code ..._declined_total}), one set per server however many lease-service replicas
 * report, so dashboards and alerts written for Kea show Tandem's pools.
 */
@ApplicationScoped
public class ScopeStatisticsConsumer {

    private static final ObjectMapper JSON = Json.mapper();

    /** Kea's gauge names (Stork exporter) and what each reads. */
    private static final Map<String, ToLongFunction<ScopeStatistics>> KEA_GAUGES = Map.of(
            "kea_dhcp4_addresses_total", ScopeStatistics::total,
            "kea_dhcp4_addresses_assigned_total", ScopeStatistics::assigned,
            "kea_dhcp4_addresses_declined_total", ScopeStatistics::declined);

    private final Map<String, ScopeStatistics> latest = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    public ScopeStatisticsConsumer(MeterRegistry registry) {
        this.registry = registry;
    }

    @Incoming("scope-statistics")
    public void consume(String json) {
        try {
            ScopeStatistics s = JSON.readValue(json, ScopeStatistics.class);
            if (latest.merge(s.key(), s, (old, now) -> now.at().isBefore(old.at()) ? old : now) == s) {
                exportOnce(s);
            }
        } catch (Exception e) {
            Log.warnf("Scope statistics skipped: %s", e.getMessage());
        }
    }

    /** Registers the scope's Kea-named gauges (a no-op once they exist); each reads the newest counts. */
    private void exportOnce(ScopeStatistics s) {
        String key = s.key();
        KEA_GAUGES.forEach((name, count) -> Gauge.builder(
                        name, latest, m -> m.containsKey(key) ? count.applyAsLong(m.get(key)) : Double.NaN)
                .description("Kea's name (Stork exporter) for the scope's address counts")
                .tag("server", s.server())
                .tag("subnet", s.scope())
                .register(registry));
    }

    public Optional<ScopeStatistics> of(String server, String subnet) {
        return Optional.ofNullable(latest.get(server + "/" + subnet));
    }
}

package dev.tandem.admin.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.admin.repository.LeaseRepository;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.LeaseEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Builds the lease read model from {@code tandem.lease-events} of all servers, a batch per transaction. An event that
 * cannot be read is counted and skipped; an event older than what is stored for its address changes nothing.
 */
@ApplicationScoped
public class LeaseEventConsumer {

    private static final ObjectMapper JSON = Json.mapper();

    private final LeaseRepository leases;
    private final MeterRegistry metrics;

    public LeaseEventConsumer(LeaseRepository leases, MeterRegistry metrics) {
        this.leases = leases;
        this.metrics = metrics;
    }

    @Incoming("lease-events")
    @Blocking
    public void consume(List<String> batch) {
        List<LeaseEvent> events = new ArrayList<>(batch.size());
        for (String json : batch) {
            try {
                LeaseEvent e = JSON.readValue(json, LeaseEvent.class);
                if (e.server() == null || e.address() == null || e.state() == null || e.at() == null) {
                    throw new IllegalArgumentException("server, address, state and at are required");
                }
                events.add(e);
            } catch (Exception e) {
                metrics.counter("tandem_admin_lease_events_dropped_total").increment();
                Log.warnf("Lease event skipped: %s", e.getMessage());
            }
        }
        leases.apply(events);
    }
}

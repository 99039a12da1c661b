package dev.tandem.admin.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.admin.repository.LeaseRepository;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.LeaseEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Builds the lease read model from {@code tandem.lease-events} of all servers, a batch per transaction. An event that
 * cannot be read is counted and skipped; an event older than what is stored for its address changes nothing. A batch
 * the database does not take (PostgreSQL restarting, say) is tried again with a growing pause until it does: the
 * events wait in Kafka meanwhile, and none is skipped.
 */
@ApplicationScoped
public class LeaseEventConsumer {

    private static final ObjectMapper JSON = Json.mapper();

    private final LeaseRepository leases;
    private final MeterRegistry metrics;
    private final AtomicBoolean failing = new AtomicBoolean();

    public LeaseEventConsumer(LeaseRepository leases, MeterRegistry metrics) {
        this.leases = leases;
        this.metrics = metrics;
    }

    @Incoming("lease-events")
    public Uni<Void> consume(List<String> batch) {
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
        return Uni.createFrom()
                .item(() -> {
                    leases.apply(events);
                    return events.size();
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure()
                .invoke(e -> {
                    metrics.counter("tandem_admin_lease_event_retries_total").increment();
                    if (failing.compareAndSet(false, true)) {
                        Log.warnf("Lease events not stored (%s); trying again until the database takes them", e);
                    }
                })
                .onFailure()
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
                .indefinitely()
                .invoke(n -> {
                    if (failing.compareAndSet(true, false)) {
                        Log.info("Lease events are stored again");
                    }
                })
                .replaceWithVoid();
    }
}

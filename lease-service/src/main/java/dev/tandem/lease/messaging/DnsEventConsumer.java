package dev.tandem.lease.messaging;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.service.DnsUpdates;
import dev.tandem.protocol.bus.LeaseEvent;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The lease events, read back for dynamic DNS ({@code tandem.ddns.enabled}). One event at a time, in order; an update
 * without an answer (or before the configuration is in force) is tried again (1 s, doubling up to {@code
 * tandem.ddns.max-retry-interval}) until it succeeds, holding back the later events, so an address's records follow
 * its events in order. An update the name server refuses is not tried again ({@link DnsUpdates}). The first failure of
 * a run is logged as a warning, the recovery at info level.
 */
@ApplicationScoped
public class DnsEventConsumer {

    private final DnsUpdates updates;
    private final Duration maxRetryInterval;
    private final AtomicBoolean failing = new AtomicBoolean();

    public DnsEventConsumer(DnsUpdates updates, LeaseServiceConfig config) {
        this.updates = updates;
        this.maxRetryInterval = config.ddns().maxRetryInterval();
    }

    @Incoming("dns-events")
    public Uni<Void> on(LeaseEvent event) {
        // deferred: each attempt reads the configuration in force then, so a corrected one is picked up
        return Uni.createFrom()
                .deferred(() -> updates.apply(event))
                .onFailure()
                .invoke(e -> {
                    updates.failed();
                    if (failing.compareAndSet(false, true)) {
                        Log.warnf(
                                "DNS update for %s not made, tried again until it is (counted in"
                                        + " tandem_ddns_updates_total{outcome=\"failed\"}): %s",
                                event.address(), e.getMessage());
                    } else {
                        Log.debugf("DNS update for %s not made again: %s", event.address(), e.getMessage());
                    }
                })
                .onFailure()
                .retry()
                .withBackOff(Duration.ofSeconds(1), maxRetryInterval)
                .indefinitely()
                .invoke(() -> {
                    if (failing.compareAndSet(true, false)) {
                        Log.infof("DNS updates made again (from the event of %s on)", event.address());
                    }
                });
    }

    /** JSON to {@link LeaseEvent}; an undecodable record becomes a null payload, skipped. */
    public static class Deserializer extends ObjectMapperDeserializer<LeaseEvent> {
        public Deserializer() {
            super(LeaseEvent.class);
        }
    }
}

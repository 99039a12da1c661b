package dev.tandem.lease.service;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.domain.LeaseState;
import dev.tandem.lease.messaging.EventPublisher;
import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.repository.LeaseRepository.Expired;
import dev.tandem.lease.repository.OutboxRepository;
import dev.tandem.lease.repository.OutboxRepository.Pending;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends what ran out, in the background: leases become EXPIRED (event "expired"), declined addresses come back after
 * probation (event "reclaimed"), unanswered offers become FREE again (no event: an offer is not a lease).
 */
@ApplicationScoped
public class ReclaimService {

    private final LeaseRepository leases;
    private final OutboxRepository outbox;
    private final LeaseEvents leaseEvents;
    private final EventPublisher publisher;
    private final LeaseServiceConfig config;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final ConfigHolder configHolder;

    public ReclaimService(
            LeaseRepository leases,
            OutboxRepository outbox,
            LeaseEvents leaseEvents,
            EventPublisher publisher,
            LeaseServiceConfig config,
            MeterRegistry metrics,
            Clock clock,
            ConfigHolder configHolder) {
        this.configHolder = configHolder;
        this.leases = leases;
        this.outbox = outbox;
        this.leaseEvents = leaseEvents;
        this.publisher = publisher;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Scheduled(
            every = "${tandem.lease.reclaim-interval:1s}",
            delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return reclaim()
                .onFailure()
                .recoverWithItem(e -> {
                    Log.warnf("Reclaim pass failed, next pass retries: %s", e.toString());
                    return 0;
                })
                .replaceWithVoid();
    }

    /** One pass; returns how many rows changed. */
    public Uni<Integer> reclaim() {
        Instant now = clock.instant();
        return leases.pool()
                .withTransaction(
                        conn -> leases.reclaim(conn, now, config.lease().reclaimBatch(), failoverScopes())
                                .flatMap(changed -> {
                                    List<Pending> events = new ArrayList<>();
                                    for (Expired e : changed) {
                                        if ("ACTIVE".equals(e.before())) {
                                            events.add(leaseEvents.pending(
                                                    "expired",
                                                    LeaseState.EXPIRED,
                                                    e.address(),
                                                    e.scope(),
                                                    e.client(),
                                                    now,
                                                    null));
                                        } else if ("DECLINED".equals(e.before())) {
                                            events.add(leaseEvents.pending(
                                                    "reclaimed",
                                                    LeaseState.FREE,
                                                    e.address(),
                                                    e.scope(),
                                                    e.client(),
                                                    now,
                                                    null));
                                        }
                                        metrics.counter(
                                                        "tandem_leases_reclaimed_total",
                                                        "from",
                                                        e.before().toLowerCase())
                                                .increment();
                                    }
                                    return outbox.append(conn, events).replaceWith(changed.size());
                                }))
                .invoke(count -> {
                    if (count > 0) {
                        publisher.trigger();
                    }
                });
    }

    /** Scopes in a failover relationship: what expires there is a binding update for the partner. */
    String[] failoverScopes() {
        return configHolder
                .current()
                .map(settings -> settings.relationships().stream()
                        .flatMap(r -> r.scopes().stream())
                        .toArray(String[]::new))
                .orElse(new String[0]);
    }
}

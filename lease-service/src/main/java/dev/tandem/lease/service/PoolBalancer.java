package dev.tandem.lease.service;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.domain.PoolBalance;
import dev.tandem.lease.repository.BindingRepository;
import dev.tandem.lease.repository.BindingRepository.Balanced;
import dev.tandem.protocol.config.RelationshipConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.Optional;

/**
 * Pool balancing ({@link PoolBalance}) when the coordinator asks: on entering NORMAL, periodically in NORMAL, and when
 * the partner sends POOLREQ. The coordinator knows whether the relationship is in NORMAL; this service's view of the
 * state may lag or, after a restart, be stale. The moved addresses go to the partner as binding updates through the
 * usual publisher.
 */
@ApplicationScoped
public class PoolBalancer {

    private final BindingRepository bindings;
    private final ConfigHolder configHolder;
    private final LeaseServiceConfig config;
    private final MeterRegistry metrics;
    private final Clock clock;

    public PoolBalancer(
            BindingRepository bindings,
            ConfigHolder configHolder,
            LeaseServiceConfig config,
            MeterRegistry metrics,
            Clock clock) {
        this.bindings = bindings;
        this.configHolder = configHolder;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Gives the partner this server's surplus of free addresses in the scopes of the relationship the coordinator names
     * ({@code scopes}: not one still joining), with the shares of configuration {@code revision} or later (waiting a
     * little for it), or to {@code secondaryPercent} for the secondary when the coordinator names it (an ISC partner's
     * half and half); returns how many addresses moved.
     */
    public Uni<Integer> balance(
            String relationshipName, Long revision, Integer secondaryPercent, java.util.List<String> scopes) {
        return configHolder.atLeast(revision).flatMap(settings -> {
            Optional<RelationshipConfig> found = settings.flatMap(s -> s.relationship(relationshipName));
            if (found.isEmpty()) {
                Log.warnf(
                        "Pool balancing for %s skipped: configuration revision %s or the relationship is"
                                + " not in force here",
                        relationshipName, revision);
                return Uni.createFrom().item(0);
            }
            return balance(found.get(), secondaryPercent, scopes);
        });
    }

    private Uni<Integer> balance(
            RelationshipConfig relationship, Integer secondaryPercent, java.util.List<String> scopes) {
        boolean primary = relationship.primary();
        int share = secondaryPercent != null ? secondaryPercent : relationship.secondaryPoolPercent();
        int tolerance = config.lease().poolMisbalancePercent();
        return bindings.balance(
                        relationship.scopes().stream().filter(scopes::contains).toArray(String[]::new),
                        !primary,
                        (free, backup) -> PoolBalance.toGive(primary, free, backup, share, tolerance),
                        clock.instant())
                .map(passes -> {
                    int moved = 0;
                    for (Balanced b : passes) {
                        if (b.given() > 0) {
                            metrics.counter(
                                            "tandem_failover_pool_addresses_given_total",
                                            "relationship",
                                            relationship.name())
                                    .increment(b.given());
                            Log.infof(
                                    "Failover %s: scope %s had %d FREE and %d BACKUP addresses; gave the partner %d"
                                            + " (%s)",
                                    relationship.name(),
                                    b.scope(),
                                    b.free(),
                                    b.backup(),
                                    b.given(),
                                    primary ? "FREE -> BACKUP" : "BACKUP -> FREE");
                        }
                        moved += b.given();
                    }
                    return moved;
                });
    }
}

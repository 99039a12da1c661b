package dev.tandem.lease.service;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.domain.Guard;
import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.bus.FailoverStatuses;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.failover.ServiceRules;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * This server's failover state per relationship, as the coordinator publishes it, turned into what the allocator may
 * do for a scope. A scope in a relationship whose state is not known yet is treated as STARTUP: nothing is allocated.
 * So is a state the coordinator recorded with another lease database than this one ({@link LeaseStore}): that state
 * went with bindings this database does not have (it was lost, replaced or restored), and the coordinator recovers
 * them from the partner first; and a state published too long ago (a lagging consumer, a coordinator gone).
 */
@ApplicationScoped
public class FailoverView {

    private final FailoverStatuses statuses = new FailoverStatuses();
    private final Supplier<Optional<String>> store;
    private final Duration maxAge;
    private final Duration partnerDownGuard;
    private final java.util.Set<String> staleLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Inject
    public FailoverView(LeaseStore store, LeaseServiceConfig config) {
        this.store = store::id;
        this.maxAge = config.lease().maxFailoverStateAge();
        this.partnerDownGuard = config.lease().partnerDownGuard();
    }

    /** A view for a lease database of the given identity (tests). */
    public FailoverView(String storeId) {
        this.store = () -> Optional.of(storeId);
        this.maxAge = Duration.ofSeconds(30);
        this.partnerDownGuard = Duration.ofSeconds(10);
    }

    public FailoverStatuses statuses() {
        return statuses;
    }

    public Optional<FailoverStatus> status(String relationship) {
        return statuses.get(relationship);
    }

    /** Whether the relationship's state was recorded with another lease database than this one. */
    public boolean otherStore(FailoverStatus status) {
        return status.recordedWithOtherStore(store.get().orElse(null));
    }

    /** The failover rules for a scope now; empty when the scope is in no relationship. */
    public Optional<Context> context(ServerSettings settings, String scopeId, Instant now) {
        return settings.relationshipOf(scopeId).map(r -> context(r, scopeId, now));
    }

    private Context context(RelationshipConfig relationship, String scopeId, Instant now) {
        FailoverStatus status = statuses.get(relationship.name())
                .filter(s -> !otherStore(s))
                .filter(s -> fresh(s, now))
                .orElse(null);
        FailoverState state = status == null ? FailoverState.STARTUP : status.localState();
        Duration mclt = status == null ? relationship.mclt() : Duration.ofSeconds(status.mclt());
        Instant since = status == null ? now : status.since();
        FailoverState partner = status == null ? FailoverState.UNKNOWN : status.partner();
        boolean draining = status != null && status.draining(now);
        boolean backup = !relationship.primary();
        // A scope that joined the running relationship: its own clients renew, but nobody new gets an address until
        // the partner's bindings of it are here (the partner may have bound any of its addresses).
        // So does a scope the state does not name yet (this service applied the configuration that brings it before
        // the coordinator restarted the relationship with it).
        ServiceRules.Pool pool = status != null
                        && (status.joining(scopeId)
                                || (status.scopes() != null && !status.scopes().contains(scopeId)))
                ? ServiceRules.Pool.NONE
                : ServiceRules.pool(state, partner, draining, takeoverClock(state, since), mclt, now);
        Guard guard =
                switch (pool) {
                        // §5.2.2: another client gets a released or expired address only once MCLT has passed both
                        // since its expiry and potential expirations and since entering PARTNER-DOWN. Before the latter
                        // (pool OWN in PARTNER-DOWN) the partner may still have given it away: only FREE addresses go.
                    case OWN -> Guard.failover(backup, true, true, null);
                    case ALL -> Guard.failover(null, true, false, now.minus(mclt));
                    case NONE -> Guard.failover(backup, false, true, null);
                };
        return new Context(relationship, state, guard, mclt, ServiceRules.renews(state, draining));
    }

    /**
     * The moment the rules count MCLT from: in PARTNER-DOWN, entering it plus the guard ({@code
     * tandem.lease.partner-down-guard}), for a partner whose coordinator died while its lease-services went on
     * allocating for a few seconds.
     */
    private Instant takeoverClock(FailoverState state, Instant since) {
        return state == FailoverState.PARTNER_DOWN && since != null ? since.plus(partnerDownGuard) : since;
    }

    /** Whether the state was published recently enough to act on; a stale one is logged once until fresh again. */
    private boolean fresh(FailoverStatus status, Instant now) {
        boolean fresh = status.updatedAt() == null || !status.updatedAt().isBefore(now.minus(maxAge));
        if (fresh) {
            staleLogged.remove(status.relationship());
        } else if (staleLogged.add(status.relationship())) {
            Log.warnf(
                    "Failover state of %s was published at %s, more than %s s ago: nothing is allocated in its scopes"
                            + " until the coordinator publishes again",
                    status.relationship(), status.updatedAt(), maxAge.toSeconds());
        }
        return fresh;
    }

    /**
     * What failover allows for one scope now.
     *
     * @param serves whether this server answers clients at all in its state (renewals at least)
     */
    public record Context(
            RelationshipConfig relationship, FailoverState state, Guard guard, Duration mclt, boolean serves) {}
}

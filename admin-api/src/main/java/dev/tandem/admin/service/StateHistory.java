package dev.tandem.admin.service;

import dev.tandem.admin.api.RelationshipView;
import dev.tandem.admin.config.AdminConfig;
import dev.tandem.admin.repository.FailoverHistory;
import dev.tandem.admin.repository.LeaseRepository;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Keeps the history the console shows: every few seconds it asks each relationship's coordinators for their state
 * and stores each state entered (a coordinator reports since when it is in its state, so a transition between two
 * polls is stored with its own time, and replicas of the admin API store it once); and it forgets what is older than
 * {@code tandem.admin.history-retention}. A coordinator that cannot be reached adds nothing: the console shows it as
 * unreachable from the live state.
 */
@ApplicationScoped
public class StateHistory {

    private final RelationshipService relationships;
    private final Coordinators coordinators;
    private final FailoverHistory history;
    private final LeaseRepository leases;
    private final AdminConfig config;
    private final Clock clock;

    public StateHistory(
            RelationshipService relationships,
            Coordinators coordinators,
            FailoverHistory history,
            LeaseRepository leases,
            AdminConfig config,
            Clock clock) {
        this.relationships = relationships;
        this.coordinators = coordinators;
        this.history = history;
        this.leases = leases;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "2s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        try {
            for (RelationshipView r : relationships.list()) {
                if (r.empty()) {
                    continue;
                }
                for (Coordinators.ServerState s : coordinators.state(r.name())) {
                    record(r.name(), s);
                }
            }
        } catch (RuntimeException e) {
            // the database is away (restarting, or this service stopping): the next poll catches up
            Log.debugf("Failover states not polled: %s", e.getMessage());
        }
    }

    /** Stores the state a reachable coordinator reports for the relationship. */
    public void record(String relationship, Coordinators.ServerState s) {
        Map<String, Object> status = s.status();
        if (!s.reachable() || status == null || !(status.get("state") instanceof String state)) {
            return;
        }
        try {
            history.record(new FailoverHistory.Entry(
                    relationship,
                    s.server(),
                    state,
                    (String) status.get("partnerState"),
                    Instant.parse(String.valueOf(status.get("since")))));
        } catch (RuntimeException e) {
            Log.debugf("State of %s in %s not stored: %s", s.server(), relationship, e.getMessage());
        }
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void forget() {
        Instant cutoff = clock.instant().minus(config.historyRetention());
        int states = history.forgetBefore(cutoff);
        int events = leases.forgetHistoryBefore(cutoff);
        Log.debugf("History before %s forgotten: %d states, %d lease events", cutoff, states, events);
    }
}

package dev.tandem.coordinator.service;

import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.coordinator.domain.DataPathHealth;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ServerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The relationships this server is in, one {@link RelationshipRunner} each, started and stopped as the configuration
 * changes. On the first configuration the last published states are read back: they are the stable storage of §9.1.
 */
@ApplicationScoped
public class Relationships {

    private final CoordinatorConfig config;
    private final RelationshipRunner.Bus bus;
    private final StateStore store;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final Vertx vertx;
    private final Map<String, RelationshipRunner> runners = new ConcurrentHashMap<>();
    private final AtomicBoolean configured = new AtomicBoolean();
    private Map<String, FailoverStatus> restored;
    private volatile DataPathHealth.Verdict dataPath = new DataPathHealth.Verdict(true, null);
    /** When each running relationship started, publishing its state every second from then on. */
    private final Map<String, Instant> startedAt = new ConcurrentHashMap<>();

    public Relationships(
            CoordinatorConfig config,
            RelationshipRunner.Bus bus,
            StateStore store,
            MeterRegistry metrics,
            Clock clock,
            Vertx vertx) {
        this.config = config;
        this.bus = bus;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.vertx = vertx;
    }

    /** Applies a validated configuration: new relationships start, changed ones restart, removed ones stop. */
    public synchronized void apply(ServerSettings settings) {
        if (restored == null) {
            restored = store.read();
            Log.infof("Read %d stored failover state(s)", restored.size());
        }
        for (RelationshipRunner runner : runners.values()) {
            Optional<RelationshipConfig> now = settings.relationship(runner.name());
            if (now.isEmpty() || !now.get().equals(runner.config())) {
                Log.infof("Failover relationship %s %s", runner.name(), now.isEmpty() ? "removed" : "changed");
                FailoverStatus last = runner.status().join();
                runner.stop().join();
                if (now.isEmpty()) {
                    // Kept (stable storage), but with no scope: if the relationship comes back, each scope joins anew,
                    // since leases may have changed in it meanwhile unknown to the partner. Published once the runner
                    // has stopped, so no refresh of its own overwrites it.
                    last = last.withoutScopes();
                    bus.publish(last);
                }
                restored.put(last.relationship(), last);
                runners.remove(runner.name());
            }
        }
        for (RelationshipConfig r : settings.relationships()) {
            List<ScopeConfig> pools = settings.scopes().stream()
                    .filter(scope -> r.scopes().contains(scope.id()))
                    .toList();
            RelationshipRunner running = runners.get(r.name());
            if (running == null) {
                start(r, pools, settings.revision(), Optional.ofNullable(restored.get(r.name())));
            } else {
                running.reconfigured(settings.revision(), pools);
            }
        }
        configured.set(true);
    }

    /**
     * Since when this coordinator has published failover states without a break (null: it publishes none), for
     * judging whether its lease-services receive them.
     */
    public Instant publishingSince() {
        return runners.keySet().stream()
                .map(startedAt::get)
                .filter(java.util.Objects::nonNull)
                .min(java.util.Comparator.naturalOrder())
                .orElse(null);
    }

    private void start(
            RelationshipConfig relationship, List<ScopeConfig> pools, long revision, Optional<FailoverStatus> state) {
        RelationshipRunner runner = new RelationshipRunner(
                config.server(), relationship, pools, revision, config.failover(), state, bus, metrics, clock, vertx);
        startedAt.put(relationship.name(), clock.instant());
        runners.put(relationship.name(), runner);
        runner.start();
        runner.onDataPath(dataPath.up(), dataPath.reason());
    }

    /** Whether this server's lease-services and gateways can serve ({@link DataPath}), for every relationship. */
    public void dataPath(DataPathHealth.Verdict verdict) {
        dataPath = verdict;
        runners.values().forEach(r -> r.onDataPath(verdict.up(), verdict.reason()));
    }

    /** The lease database was replaced under a running relationship: it starts over as new (no stored state). */
    private synchronized void startOver(RelationshipRunner runner) {
        if (runners.get(runner.name()) != runner) {
            return;
        }
        runner.stop().join();
        restored.remove(runner.name());
        start(runner.config(), runner.pools(), runner.revision(), Optional.empty());
    }

    public boolean configured() {
        return configured.get();
    }

    public Optional<RelationshipRunner> get(String name) {
        return Optional.ofNullable(runners.get(name));
    }

    public Collection<RelationshipRunner> all() {
        return runners.values();
    }

    /** A binding change of ours, for the relationship it names. */
    public void onBindingUpdate(BindingUpdate update) {
        RelationshipRunner runner = runners.get(update.relationship());
        if (runner == null) {
            return;
        }
        if (update.isIdentity()) {
            runner.checkLeaseStore(update).thenAcceptAsync(lost -> {
                if (lost) {
                    startOver(runner);
                }
            });
        } else {
            runner.enqueue(update);
        }
    }

    public void stopAll() {
        runners.values().forEach(r -> r.stop().join());
        runners.clear();
    }
}

package dev.tandem.coordinator.service;

import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.coordinator.domain.DataPathHealth;
import dev.tandem.protocol.bus.ServiceHealth;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Fate-sharing: the heartbeats of this server's lease-services and gateways, judged every check interval
 * ({@link DataPathHealth}). When the server cannot serve, every relationship hands its share to the partner (PAUSED);
 * when it can again, it takes it back.
 */
@ApplicationScoped
public class DataPath {

    private final CoordinatorConfig.DataPath settings;
    private final String server;
    private final Relationships relationships;
    private final Clock clock;
    private final Vertx vertx;
    private final DataPathHealth health;
    private volatile DataPathHealth.Verdict verdict = new DataPathHealth.Verdict(true, null);
    private final MeterRegistry registry;
    /** A judge away this long is logged (shorter ones, event loops busy at start or under load, are only counted). */
    private static final Duration AWAY_LOGGED = Duration.ofSeconds(5);

    private long checkTimer = -1;
    private Instant lastCheck;
    private volatile boolean stopping;

    public DataPath(
            CoordinatorConfig config, Relationships relationships, Clock clock, Vertx vertx, MeterRegistry registry) {
        this.settings = config.failover().dataPath();
        this.server = config.server();
        this.relationships = relationships;
        this.clock = clock;
        this.vertx = vertx;
        this.registry = registry;
        this.health = new DataPathHealth(
                settings.timeout(),
                settings.forgetAfter(),
                clock.instant(),
                settings.startupGrace(),
                settings.stableFor(),
                settings.stateLag());
        registry.gauge("tandem_failover_data_path_up", this, d -> d.verdict.up() ? 1 : 0);
    }

    void start(@Observes StartupEvent event) {
        if (settings.enabled()) {
            checkTimer = vertx.setPeriodic(settings.checkInterval().toMillis(), id -> check());
        } else {
            Log.warn("Fate-sharing with the lease-services and gateways is off (tandem.failover.data-path.enabled)");
        }
    }

    /**
     * A coordinator that stops judges no more: its heartbeat consumer stops with it, and the silence that follows would
     * hand the share over (PAUSED) as its last word, for a reason that is not true. Observed first (priority 1), before
     * the messaging connectors stop.
     */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        stopping = true;
        if (checkTimer >= 0) {
            vertx.cancelTimer(checkTimer);
        }
    }

    @Incoming("service-health")
    public void onHeartbeat(ServiceHealth beat) {
        if (beat != null && server.equals(beat.server())) {
            synchronized (health) {
                health.heard(beat, clock.instant());
            }
        }
    }

    /** The latest judgement (with its reason when down). */
    public DataPathHealth.Verdict verdict() {
        return verdict;
    }

    private void check() {
        if (stopping) {
            return;
        }
        Instant at = clock.instant();
        DataPathHealth.Verdict now;
        synchronized (health) {
            Duration away = lastCheck == null ? Duration.ZERO : Duration.between(lastCheck, at);
            if (away.compareTo(settings.timeout()) > 0) {
                // the heartbeats were not read meanwhile either (they come on the event loops too)
                registry.counter("tandem_failover_data_path_judge_away_total").increment();
                if (away.compareTo(AWAY_LOGGED) >= 0) {
                    Log.infof(
                            "The data path was not judged for %d ms (this coordinator was stopped or stalled): the"
                                    + " services' silence meanwhile is not held against them",
                            away.toMillis());
                }
                health.judgeWasAway(lastCheck, at);
            }
            lastCheck = at;
            now = health.verdict(at, relationships.publishingSince());
        }
        boolean changed = now.up() != verdict.up();
        verdict = now;
        if (changed) {
            if (now.up()) {
                Log.infof("This server can serve again: its lease-services and gateways are ready");
            } else {
                Log.warnf("This server cannot serve (%s): handing its share over to the partner", now.reason());
            }
            relationships.dataPath(now);
        }
    }
}

package dev.tandem.lease.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.repository.PoolSync;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.InvalidConfigException;
import dev.tandem.protocol.config.ServerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Applies configuration from the config topic: validate all of it, make the lease table match, then put it in force.
 * A refused or failed configuration leaves the one in force untouched.
 */
@ApplicationScoped
public class ConfigService {

    private final LeaseServiceConfig config;
    private final ConfigHolder holder;
    private final PoolSync pools;
    private final ObjectMapper mapper;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final AtomicReference<ServerSettings> failed = new AtomicReference<>();

    public ConfigService(
            LeaseServiceConfig config,
            ConfigHolder holder,
            PoolSync pools,
            ObjectMapper mapper,
            MeterRegistry metrics,
            Clock clock) {
        this.config = config;
        this.holder = holder;
        this.pools = pools;
        this.mapper = mapper;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Handles one record of the config topic; never fails (a bad record is counted and logged once). */
    public Uni<Void> onConfigRecord(String key, String json) {
        if (!config.server().equals(key)) {
            return Uni.createFrom().voidItem(); // another server's configuration
        }
        ServerSettings settings;
        try {
            ServerConfig parsed = mapper.readValue(json, ServerConfig.class);
            settings = ConfigValidator.validate(parsed);
            if (!settings.server().equals(key)) {
                throw new InvalidConfigException(java.util.List.of(
                        "record key '" + key + "' does not match server '" + settings.server() + "'"));
            }
        } catch (InvalidConfigException e) {
            reject(e.getMessage());
            return Uni.createFrom().voidItem();
        } catch (Exception e) {
            reject("configuration is not valid JSON for ServerConfig v1: " + e.getMessage());
            return Uni.createFrom().voidItem();
        }
        long inForce = holder.current().map(ServerSettings::revision).orElse(-1L);
        if (settings.revision() < inForce) {
            Log.infof("Ignoring configuration revision %d: revision %d is in force", settings.revision(), inForce);
            return Uni.createFrom().voidItem();
        }
        return apply(settings);
    }

    /**
     * A configuration whose database sync failed (the database unreachable, say) is tried again every 10 s until it
     * is in force or a newer one replaces it; meanwhile the previous one serves.
     */
    @Scheduled(every = "10s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> retryFailed() {
        ServerSettings waiting = failed.get();
        long inForce = holder.current().map(ServerSettings::revision).orElse(-1L);
        if (waiting == null || waiting.revision() <= inForce) {
            failed.compareAndSet(waiting, null);
            return Uni.createFrom().voidItem();
        }
        Log.infof("Trying configuration revision %d again", waiting.revision());
        return apply(waiting);
    }

    private Uni<Void> apply(ServerSettings accepted) {
        return pools.syncPools(accepted, clock.instant())
                .invoke(departed -> {
                    failed.compareAndSet(accepted, null);
                    holder.set(accepted, departed);
                    metrics.counter("tandem_config_applied_total").increment();
                    Log.infof(
                            "Configuration revision %d applied: %d scope(s), %d pool addresses",
                            accepted.revision(),
                            accepted.scopes().size(),
                            accepted.scopes().stream()
                                    .mapToLong(s -> s.poolSize())
                                    .sum());
                })
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(e -> {
                    failed.set(accepted);
                    metrics.counter("tandem_config_rejected_total", "reason", "apply-failed")
                            .increment();
                    Log.errorf(
                            e,
                            "Configuration revision %d could not be applied; the previous one stays in force and"
                                    + " this one is tried again in 10 s",
                            accepted.revision());
                    return null;
                });
    }

    private void reject(String why) {
        metrics.counter("tandem_config_rejected_total", "reason", "invalid").increment();
        Log.errorf("Configuration for server %s refused, the previous one stays in force: %s", config.server(), why);
    }
}

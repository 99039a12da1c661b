package dev.tandem.lease.health;

import dev.tandem.lease.service.ConfigHolder;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when this instance can serve, as its last heartbeat told the coordinator: a configuration in force, a commit
 * to PostgreSQL within a second, lease requests assigned by Kafka ({@link Heartbeat}).
 */
@Readiness
@ApplicationScoped
public class LeaseServiceReadiness implements HealthCheck {

    private final ConfigHolder config;
    private final Heartbeat heartbeat;

    public LeaseServiceReadiness(ConfigHolder config, Heartbeat heartbeat) {
        this.config = config;
        this.heartbeat = heartbeat;
    }

    @Override
    public HealthCheckResponse call() {
        String problem = heartbeat.problem();
        var builder = HealthCheckResponse.named("lease-service").status(problem == null);
        if (problem != null) {
            builder.withData("reason", problem);
        }
        config.current().ifPresent(s -> builder.withData("server", s.server())
                .withData("configRevision", s.revision())
                .withData("scopes", s.scopes().size()));
        return builder.build();
    }
}

package dev.tandem.lease.health;

import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.service.ConfigHolder;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when a configuration is in force and PostgreSQL answers. */
@Readiness
@ApplicationScoped
public class LeaseServiceReadiness implements AsyncHealthCheck {

    private final ConfigHolder config;
    private final LeaseRepository leases;

    public LeaseServiceReadiness(ConfigHolder config, LeaseRepository leases) {
        this.config = config;
        this.leases = leases;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return leases.pool()
                .query("SELECT 1")
                .execute()
                .ifNoItem()
                .after(Duration.ofSeconds(3))
                .fail()
                .map(rs -> config.current()
                        .map(s -> HealthCheckResponse.named("lease-service")
                                .up()
                                .withData("server", s.server())
                                .withData("configRevision", s.revision())
                                .withData("scopes", s.scopes().size())
                                .build())
                        .orElseGet(() -> HealthCheckResponse.named("lease-service")
                                .down()
                                .withData("reason", "no configuration received yet")
                                .build()))
                .onFailure()
                .recoverWithItem(e -> HealthCheckResponse.named("lease-service")
                        .down()
                        .withData("reason", "database: " + e.getMessage())
                        .build());
    }
}

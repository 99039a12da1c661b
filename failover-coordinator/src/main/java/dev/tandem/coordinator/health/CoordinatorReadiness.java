package dev.tandem.coordinator.health;

import dev.tandem.coordinator.service.Relationships;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once this server's configuration is applied and each relationship runs (its state is in the body). */
@Readiness
@ApplicationScoped
public class CoordinatorReadiness implements HealthCheck {

    private final Relationships relationships;

    public CoordinatorReadiness(Relationships relationships) {
        this.relationships = relationships;
    }

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("failover").status(relationships.configured());
        for (var r : relationships.all()) {
            try {
                var s = r.status().get(2, java.util.concurrent.TimeUnit.SECONDS);
                builder.withData(r.name(), s.state() + (s.communicating() ? "" : " (partner not in contact)"));
            } catch (Exception e) {
                builder.withData(r.name(), "no answer");
            }
        }
        return builder.build();
    }
}

package dev.tandem.coordinator.health;

import dev.tandem.coordinator.service.DataPath;
import dev.tandem.coordinator.service.Relationships;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once this server's configuration is applied and each relationship runs (its state is in the body, and why the
 * server cannot serve when it cannot: the coordinator itself still answers and keeps the partner informed).
 */
@Readiness
@ApplicationScoped
public class CoordinatorReadiness implements HealthCheck {

    private final Relationships relationships;
    private final DataPath dataPath;

    public CoordinatorReadiness(Relationships relationships, DataPath dataPath) {
        this.relationships = relationships;
        this.dataPath = dataPath;
    }

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("failover").status(relationships.configured());
        var verdict = dataPath.verdict();
        builder.withData("dataPath", verdict.up() ? "serving" : "cannot serve: " + verdict.reason());
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

package dev.tandem.gateway.health;

import dev.tandem.gateway.service.GatewayService;
import dev.tandem.gateway.service.SettingsHolder;
import dev.tandem.gateway.udp.DhcpSocket;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when this gateway can serve ({@link Heartbeat}). Kafka has its own readiness check. */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {

    private final DhcpSocket socket;
    private final SettingsHolder settings;
    private final GatewayService gateway;
    private final Heartbeat heartbeat;

    public GatewayReadiness(DhcpSocket socket, SettingsHolder settings, GatewayService gateway, Heartbeat heartbeat) {
        this.socket = socket;
        this.settings = settings;
        this.gateway = gateway;
        this.heartbeat = heartbeat;
    }

    @Override
    public HealthCheckResponse call() {
        String problem = heartbeat.problem();
        var builder = HealthCheckResponse.named("packet-gateway").status(problem == null);
        if (problem != null) {
            builder.withData("reason", problem);
        }
        return builder.withData("socketBound", socket.bound())
                .withData(
                        "configRevision",
                        settings.current().map(s -> s.revision()).orElse(-1L))
                .withData("inFlight", gateway.inFlight())
                .build();
    }
}

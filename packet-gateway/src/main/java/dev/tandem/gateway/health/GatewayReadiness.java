package dev.tandem.gateway.health;

import dev.tandem.gateway.service.GatewayService;
import dev.tandem.gateway.service.SettingsHolder;
import dev.tandem.gateway.udp.DhcpSocket;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the DHCP socket is bound and a configuration is in force. Kafka has its own readiness check. */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {

    private final DhcpSocket socket;
    private final SettingsHolder settings;
    private final GatewayService gateway;

    public GatewayReadiness(DhcpSocket socket, SettingsHolder settings, GatewayService gateway) {
        this.socket = socket;
        this.settings = settings;
        this.gateway = gateway;
    }

    @Override
    public HealthCheckResponse call() {
        boolean configured = settings.current().isPresent();
        return HealthCheckResponse.named("packet-gateway")
                .status(socket.bound() && configured)
                .withData("socketBound", socket.bound())
                .withData(
                        "configRevision",
                        settings.current().map(s -> s.revision()).orElse(-1L))
                .withData("inFlight", gateway.inFlight())
                .build();
    }
}

package dev.tandem.gateway.health;

import dev.tandem.gateway.config.GatewayConfig;
import dev.tandem.gateway.service.SettingsHolder;
import dev.tandem.gateway.udp.DhcpSocket;
import dev.tandem.protocol.bus.ServiceHealth;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * This gateway's heartbeat to its coordinator ({@link ServiceHealth}), every 500 ms: ready when its DHCP socket is
 * bound and a configuration is in force. Its name (host and DHCP address) survives a restart, so the coordinator knows
 * a gateway that stopped from one that came back.
 */
@ApplicationScoped
public class Heartbeat {

    public static final String CHANNEL = "service-health";

    private final DhcpSocket socket;
    private final SettingsHolder settings;
    private final MutinyEmitter<ServiceHealth> emitter;
    private final Clock clock;
    private final Vertx vertx;
    private final String server;
    private final String instance;

    public Heartbeat(
            DhcpSocket socket,
            SettingsHolder settings,
            @Channel(CHANNEL) MutinyEmitter<ServiceHealth> emitter,
            Clock clock,
            Vertx vertx,
            GatewayConfig config) {
        this.socket = socket;
        this.settings = settings;
        this.emitter = emitter;
        this.clock = clock;
        this.vertx = vertx;
        this.server = config.server();
        this.instance = config.gateway()
                .instance()
                .orElseGet(
                        () -> ServiceHealth.hostName() + "/" + config.gateway().listenAddress() + ":"
                                + config.gateway().listenPort());
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(500, id -> beat());
    }

    /** Why this gateway cannot serve (null when it can). */
    public String problem() {
        if (!socket.bound()) {
            return "DHCP socket not bound";
        }
        return settings.current().isEmpty() ? "no configuration received yet" : null;
    }

    private void beat() {
        ServiceHealth beat = ServiceHealth.of(server, ServiceHealth.GATEWAY, instance, problem(), clock.instant());
        emitter.sendMessage(Message.of(beat)
                        .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                .withKey(beat.key())
                                .build()))
                .subscribe()
                .with(x -> {}, e -> Log.debugf("Heartbeat not sent: %s", e));
    }
}

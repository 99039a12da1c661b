package dev.tandem.gateway.udp;

import dev.tandem.gateway.config.GatewayConfig;
import dev.tandem.gateway.domain.ReplyAddressing.Destination;
import dev.tandem.gateway.messaging.LeaseClient;
import dev.tandem.gateway.service.GatewayService;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The DHCP socket (UDP, port 67 by default). Opened at startup once the reply consumer is assigned, closed at
 * shutdown. Broadcast is enabled for replies to directly attached clients.
 */
@ApplicationScoped
public class DhcpSocket {

    private final Vertx vertx;
    private final GatewayConfig config;
    private final GatewayService gateway;
    private final LeaseClient leases;
    private final MeterRegistry metrics;
    private volatile DatagramSocket socket;
    private volatile boolean bound;

    public DhcpSocket(
            Vertx vertx, GatewayConfig config, GatewayService gateway, LeaseClient leases, MeterRegistry metrics) {
        this.vertx = vertx;
        this.config = config;
        this.gateway = gateway;
        this.leases = leases;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        String host = config.gateway().listenAddress();
        int port = config.gateway().listenPort();
        leases.ready()
                .ifNoItem()
                .after(Duration.ofSeconds(60))
                .recoverWithItem(() -> {
                    Log.warn("Reply consumer not assigned after 60 s; opening the DHCP socket anyway");
                    return null;
                })
                .subscribe()
                .with(x -> open(host, port), e -> open(host, port));
    }

    private void open(String host, int port) {
        DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions()
                .setBroadcast(true)
                .setReuseAddress(true)
                .setReceiveBufferSize(4 * 1024 * 1024)
                .setSendBufferSize(1024 * 1024));
        s.handler(packet -> {
            Buffer data = packet.data();
            String source = packet.sender().host() + ":" + packet.sender().port();
            gateway.onPacket(data.getBytes(), source, this::send);
        });
        s.exceptionHandler(e -> Log.warnf("DHCP socket error: %s", e.toString()));
        s.listen(port, host).onComplete(result -> {
            if (result.succeeded()) {
                socket = result.result();
                bound = true;
                Log.infof("DHCP socket listening on %s:%d", host, port);
            } else {
                Log.errorf(result.cause(), "Cannot listen on %s:%d", host, port);
            }
        });
    }

    private void send(byte[] wire, Destination destination) {
        DatagramSocket s = socket;
        if (s == null) {
            return;
        }
        s.send(Buffer.buffer(wire), destination.port(), destination.address().toString())
                .onFailure(e -> {
                    metrics.counter("tandem_pkt4_send_failures_total").increment();
                    Log.debugf("Sending to %s:%d failed: %s", destination.address(), destination.port(), e.toString());
                });
    }

    public boolean bound() {
        return bound;
    }

    void stop(@Observes ShutdownEvent event) {
        DatagramSocket s = socket;
        bound = false;
        if (s != null) {
            try {
                s.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                Log.debugf("Closing the DHCP socket: %s", e.toString());
            }
        }
    }
}

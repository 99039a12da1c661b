package dev.tandem.gateway.service;

import dev.tandem.gateway.config.GatewayConfig;
import dev.tandem.gateway.domain.FailoverFilter;
import dev.tandem.gateway.domain.ReplyAddressing;
import dev.tandem.gateway.domain.ReplyAddressing.Destination;
import dev.tandem.gateway.domain.ReplyBuilder;
import dev.tandem.gateway.domain.ScopeSelector;
import dev.tandem.gateway.messaging.LeaseClient;
import dev.tandem.protocol.bus.ClientKeys;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.dhcp.DhcpCodec;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.MalformedPacketException;
import dev.tandem.protocol.dhcp.MessageType;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.protocol.net.Subnet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReplyTimeoutException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * One client message from the socket to the reply: decode, select the scope, ask the lease-service, build and address
 * the reply. Every packet that gets no reply is counted with its reason; a malformed one is logged once per reason.
 */
@ApplicationScoped
public class GatewayService {

    private final GatewayConfig config;
    private final SettingsHolder settings;
    private final FailoverStates failover;
    private final LeaseClient leases;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final Optional<Subnet> directSubnet;
    private final Ipv4 broadcastAddress;
    private final Optional<Ipv4> serverIdOverride;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Timer exchangeTimer;
    private final Counter[] received = new Counter[MessageType.values().length];
    private final Counter[] sent = new Counter[MessageType.values().length];
    private final ConcurrentHashMap<String, Boolean> loggedDrops = new ConcurrentHashMap<>();
    private final ClientLog clientLog;
    /** Exchanges waiting for the lease-service, so a client's retransmission does not queue the same work again. */
    private final Set<Exchange> pending = ConcurrentHashMap.newKeySet();

    /** One client message as the client sees it: a retransmission repeats all three. */
    record Exchange(String clientKey, int xid, MessageType type) {}

    public GatewayService(
            GatewayConfig config,
            SettingsHolder settings,
            FailoverStates failover,
            LeaseClient leases,
            MeterRegistry metrics,
            Clock clock) {
        this.config = config;
        this.failover = failover;
        this.settings = settings;
        this.leases = leases;
        this.metrics = metrics;
        this.clock = clock;
        this.directSubnet = config.gateway().directSubnet().map(Subnet::parse);
        this.broadcastAddress = Ipv4.parse(config.gateway().broadcastAddress());
        this.serverIdOverride = config.gateway().serverIdentifier().map(Ipv4::parse);
        this.clientLog = new ClientLog(config.server());
        this.exchangeTimer = Timer.builder("tandem_lease_exchange_seconds")
                .description("From a client message received to the lease-service's decision")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
    }

    /** Handles one datagram. {@code send} is called at most once, with the encoded reply and its destination. */
    public void onPacket(byte[] packet, String source, BiConsumer<byte[], Destination> send) {
        DhcpMessage request;
        try {
            request = DhcpCodec.decode(packet);
        } catch (MalformedPacketException e) {
            drop("malformed-" + e.reason().tag(), "Malformed packet from " + source + ": " + e.getMessage());
            return;
        }
        if (request.op() != DhcpMessage.BOOTREQUEST) {
            drop("not-a-request", "BOOTREPLY received from " + source);
            return;
        }
        Optional<MessageType> type = request.messageType();
        if (type.isEmpty()) {
            drop("no-message-type", "BOOTP or unknown message type from " + source + " (only DHCP is served)");
            return;
        }
        byType(received, "tandem_pkt4_received_total", type.get()).increment();
        if (type.get() == MessageType.OFFER || type.get() == MessageType.ACK || type.get() == MessageType.NAK) {
            drop("server-message-type", "Server message type " + type.get() + " from " + source);
            return;
        }
        Optional<ServerSettings> current = settings.current();
        if (current.isEmpty()) {
            clientLog.unanswered(request, type.get(), source, "not-configured");
            drop("not-configured", "No configuration received yet; dropping packets until one arrives");
            return;
        }
        Optional<ScopeConfig> scope = ScopeSelector.select(request, directSubnet, current.get());
        if (scope.isEmpty()) {
            clientLog.unanswered(request, type.get(), source, "no-scope");
            drop(
                    "no-scope",
                    "No scope for "
                            + ScopeSelector.selectionAddress(request, directSubnet)
                                    .map(Ipv4::toString)
                                    .orElse("a direct client (no direct subnet configured)")
                            + " (from " + source + ")");
            return;
        }
        Optional<RelationshipConfig> relationship =
                current.get().relationshipOf(scope.get().id());
        if (relationship.isPresent()
                && !FailoverFilter.answers(
                        failover.get(relationship.get().name()).orElse(null), request, type.get(), clock.instant())) {
            // Not for this server now (its partner's client, or a state that does not answer): a normal event.
            clientLog.unanswered(request, type.get(), source, "failover, for the partner");
            metrics.counter(
                            "tandem_pkt4_failover_skipped_total",
                            "relationship",
                            relationship.get().name())
                    .increment();
            return;
        }
        Ipv4 serverId = serverIdOverride.orElse(current.get().serverIdentifier());
        LeaseRequest leaseRequest = toLeaseRequest(request, type.get(), scope.get(), current.get());
        Exchange exchange = new Exchange(leaseRequest.clientKey(), request.xid(), type.get());
        if (!pending.add(exchange)) {
            // The answer to the first copy answers this one too (same xid); asking again would only lengthen the
            // queue, which under a storm of clients is what makes them all retransmit (congestion collapse).
            clientLog.unanswered(request, type.get(), source, "retransmission-in-flight");
            drop(
                    "retransmission-in-flight",
                    "Retransmission of a " + type.get() + " from " + exchange.clientKey()
                            + " whose first copy is still being decided");
            return;
        }
        if (inFlight.incrementAndGet() > config.gateway().maxInFlight()) {
            inFlight.decrementAndGet();
            pending.remove(exchange);
            clientLog.unanswered(request, type.get(), source, "overloaded");
            drop("overloaded", "More than " + config.gateway().maxInFlight() + " exchanges waiting; dropping");
            return;
        }
        Timer.Sample sample = Timer.start(metrics);
        // Bounded without a timer of our own: the request's send fails within the producer's delivery timeout and the
        // reply within the reply timeout (application.properties); a timer per exchange cost 5 % of the gateway's CPU.
        leases.ask(leaseRequest)
                .subscribe()
                .with(
                        reply -> {
                            inFlight.decrementAndGet();
                            pending.remove(exchange);
                            sample.stop(exchangeTimer);
                            answer(request, type.get(), source, reply, serverId, send);
                        },
                        failure -> {
                            inFlight.decrementAndGet();
                            pending.remove(exchange);
                            boolean timeout = failure instanceof KafkaRequestReplyTimeoutException;
                            clientLog.unanswered(
                                    request, type.get(), source, timeout ? "lease-timeout" : "lease-error");
                            if (timeout) {
                                drop(
                                        "lease-timeout",
                                        "No decision from the lease-service within "
                                                + config.gateway().requestTimeout() + "; the client will retransmit");
                            } else {
                                drop("lease-error", "Asking the lease-service failed: " + failure);
                            }
                        });
    }

    /** A datagram that filled the socket's read buffer: the kernel may have cut it, so it is not decoded. */
    public void dropTooLong(String source) {
        drop("too-long", "Datagram from " + source + " longer than the gateway reads; dropped unread");
    }

    private void answer(
            DhcpMessage request,
            MessageType requestType,
            String source,
            LeaseReply decision,
            Ipv4 serverId,
            BiConsumer<byte[], Destination> send) {
        Optional<DhcpMessage> reply;
        try {
            reply = ReplyBuilder.build(request, decision, serverId);
        } catch (RuntimeException e) {
            clientLog.unanswered(request, requestType, source, "bad-decision");
            drop("bad-decision", "Lease-service decision could not be turned into a reply: " + e.getMessage());
            return;
        }
        if (reply.isEmpty()) {
            clientLog.unanswered(request, requestType, source, String.valueOf(decision.reason()));
            metrics.counter("tandem_pkt4_unanswered_total", "reason", String.valueOf(decision.reason()))
                    .increment();
            return;
        }
        MessageType type = reply.get().messageType().orElseThrow();
        int maxSize =
                Math.max(DhcpCodec.DEFAULT_MAX_MESSAGE, request.maxMessageSize().orElse(0));
        byte[] wire = DhcpCodec.encode(reply.get(), maxSize);
        Destination destination =
                ReplyAddressing.destination(request, type, config.gateway().relayPort(), broadcastAddress);
        send.accept(wire, destination);
        byType(sent, "tandem_pkt4_sent_total", type).increment();
        clientLog.answered(request, source, reply.get(), decision.reason());
    }

    /**
     * The counter of one message type, looked up once: a registry lookup builds and hashes the meter's id, on every
     * packet. Two threads filling one slot at once get the same counter from the registry.
     */
    private Counter byType(Counter[] cache, String name, MessageType type) {
        Counter counter = cache[type.ordinal()];
        if (counter == null) {
            counter = metrics.counter(name, "type", type.name().toLowerCase(Locale.ROOT));
            cache[type.ordinal()] = counter;
        }
        return counter;
    }

    LeaseRequest toLeaseRequest(DhcpMessage m, MessageType type, ScopeConfig scope, ServerSettings server) {
        // The lease-service knows the server by its configured identifier; this gateway's own one means the same.
        Optional<Ipv4> named = m.serverIdentifier().map(id -> serverIdOverride
                .filter(id::equals)
                .map(x -> server.serverIdentifier())
                .orElse(id));
        byte[] clientId = m.clientIdentifier().orElse(null);
        byte[] hw = m.hardwareAddress();
        List<Integer> prl = null;
        if (m.parameterRequestList().isPresent()) {
            prl = new ArrayList<>();
            for (byte b : m.parameterRequestList().get()) {
                prl.add(b & 0xff);
            }
        }
        return new LeaseRequest(
                LeaseRequest.VERSION,
                server.server(),
                scope.id(),
                type.name(),
                ClientKeys.of(clientId, m.htype(), hw),
                m.htype(),
                HexFormat.of().formatHex(hw),
                clientId == null ? null : HexFormat.of().formatHex(clientId),
                m.xid(),
                m.ciaddr().toString(),
                m.giaddr().toString(),
                m.requestedAddress().map(Ipv4::toString).orElse(null),
                named.map(Ipv4::toString).orElse(null),
                m.leaseTime().orElse(null),
                m.hostName().orElse(null),
                m.vendorClass().orElse(null),
                prl,
                m.broadcastFlag() || !m.giaddr().isAny() || m.ciaddr().isAny(),
                clock.instant(),
                m.clientFqdn().map(HexFormat.of()::formatHex).orElse(null));
    }

    private void drop(String reason, String message) {
        metrics.counter("tandem_pkt4_dropped_total", "reason", reason).increment();
        if (loggedDrops.putIfAbsent(reason, Boolean.TRUE) == null) {
            Log.warnf(
                    "%s (drop reason '%s'; further drops for this reason are counted in tandem_pkt4_dropped_total)",
                    message, reason);
        } else {
            Log.debug(message);
        }
    }

    public int inFlight() {
        return inFlight.get();
    }
}

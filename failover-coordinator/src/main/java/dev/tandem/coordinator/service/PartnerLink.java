package dev.tandem.coordinator.service;

import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.coordinator.domain.ConnectPolicy;
import dev.tandem.coordinator.peer.PeerConnection;
import dev.tandem.coordinator.peer.PeerTransport;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.FailoverOption;
import dev.tandem.protocol.failover.LoadBalance;
import dev.tandem.protocol.failover.MessageType;
import dev.tandem.protocol.failover.RejectReason;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The link to the partner (draft §8): dialling and listening, the CONNECT/CONNECTACK handshake with its checks
 * ({@link ConnectPolicy}), the terms agreed there (MCLT and hash buckets: the primary's, which the secondary adopts),
 * the receive timer that drops a silent partner and the CONTACT heartbeat, and the refusals of connections and
 * messages that are not the partner's. One link per relationship; what arrives on it goes to {@link Events}.
 */
final class PartnerLink implements PeerTransport.Listener, Link {

    /** What the link tells the relationship, on its context. */
    interface Events {
        /** The handshake completed: this connection is the link now. */
        void established(PeerConnection connection);

        /** The link was lost (closed by either side, or dropped here). */
        void lost();

        /** A message on the link, other than the handshake's and DISCONNECT. */
        void message(PeerConnection connection, MessageType type, FailoverMessage message);
    }

    private final RelationshipConfig config;
    private final CoordinatorConfig.Failover settings;
    private final Actor actor;
    private final Clock clock;
    private final Metrics metrics;
    private final PeerTransport transport;
    private Events events;

    /** The MCLT and hash bucket assignment in force: the primary's own; the secondary's from the primary's CONNECT. */
    private Duration mclt;

    private LoadBalance.Buckets buckets;

    private PeerConnection link;
    private final List<PeerConnection> handshaking = new ArrayList<>();
    private long partnerWindow = 1;
    private long partnerReceiveTimer = 60;
    /** The partner's vendor class from CONNECT or CONNECTACK: ISC dhcpd sends "isc-" and its version. */
    private String partnerVendor = "";
    /** Sources and reasons of refused connections and messages already logged. */
    private final Set<String> refusalsLogged = new HashSet<>();

    private long dialTimer = -1;
    private long receiveTimer = -1;
    private long contactTimer = -1;

    PartnerLink(
            RelationshipConfig config,
            CoordinatorConfig.Failover settings,
            Duration mclt,
            Actor actor,
            Clock clock,
            Metrics metrics,
            Vertx vertx) {
        this.config = config;
        this.settings = settings;
        this.mclt = mclt;
        this.buckets = config.hashBuckets();
        this.actor = actor;
        this.clock = clock;
        this.metrics = metrics;
        this.transport = new PeerTransport(
                vertx,
                config.localAddress().toString(),
                config.port(),
                config.peerAddress().toString(),
                config.peerPort(),
                config.sharedSecret(),
                settings.maxClockSkew().toSeconds(),
                config.tls() ? settings.tls() : null,
                settings.listenAddress(),
                this);
    }

    /** Listens and dials; on the context. */
    void start(Events events) {
        this.events = events;
        transport
                .listen()
                .onFailure(e -> Log.errorf(
                        "Failover relationship %s cannot listen on %s:%d: %s",
                        config.name(), config.localAddress(), config.port(), e.getMessage()));
        dial();
    }

    /** Closes every connection and stops listening; on the context. */
    io.vertx.core.Future<Void> stop() {
        if (link != null) {
            link.close();
        }
        handshaking.forEach(PeerConnection::close);
        return transport.stop();
    }

    @Override
    public PeerConnection connection() {
        return link;
    }

    Duration mclt() {
        return mclt;
    }

    LoadBalance.Buckets buckets() {
        return buckets;
    }

    @Override
    public long window() {
        return partnerWindow;
    }

    @Override
    public boolean iscPartner() {
        return partnerVendor.startsWith("isc-");
    }

    @Override
    public void disconnect(RejectReason reason, String why) {
        if (link != null) {
            link.send(FailoverMessages.disconnect(now(), reason, why));
            link.close();
        }
    }

    private void dial() {
        if (link != null) {
            return;
        }
        if (handshaking.isEmpty()) {
            transport.dial();
        }
        dialTimer = actor.after(settings.reconnectInterval(), this::dial);
    }

    @Override
    public void connected(PeerConnection connection) {
        actor.run(() -> {
            if (link != null) {
                // One link per relationship: a second TCP connection is closed (ISC: duplicate connection).
                connection.close();
                return;
            }
            handshaking.add(connection);
            actor.after(settings.handshakeTimeout(), () -> {
                if (handshaking.remove(connection)) {
                    Log.warnf(
                            "Failover %s: no handshake on %s within %s; closing",
                            config.name(), connection, settings.handshakeTimeout());
                    connection.close();
                }
            });
            if (config.primary()) {
                // §7.8: the primary sends CONNECT on the first connection established, whichever way it was made.
                connection.sendRequest(FailoverMessages.connect(
                        now(),
                        config.name(),
                        config.maxUnackedUpdates(),
                        config.maxResponseDelay().toSeconds(),
                        settings.vendorClass(),
                        mclt.toSeconds(),
                        buckets));
            }
        });
    }

    @Override
    public void closed(PeerConnection connection) {
        actor.run(() -> {
            handshaking.remove(connection);
            if (connection != link) {
                return;
            }
            link = null;
            contactTimer = actor.cancel(contactTimer);
            receiveTimer = actor.cancel(receiveTimer);
            events.lost();
            dial();
        });
    }

    @Override
    public void refused(PeerConnection connection, String reason, String detail) {
        actor.run(() -> {
            metrics.count("tandem_failover_messages_refused_total", "reason", reason);
            if (firstFrom(connection.remoteHost(), reason)) {
                Log.warnf(
                        "Failover %s: message from %s refused (%s: %s); closing the connection (logged once per source"
                                + " and reason, counted in tandem_failover_messages_refused_total)",
                        config.name(), connection.remote(), reason, detail);
            }
        });
    }

    @Override
    public void refusedSource(String from) {
        actor.run(() -> {
            metrics.count("tandem_failover_connections_refused_total", "reason", "not-the-partner");
            if (firstFrom(from, "not-the-partner")) {
                Log.warnf(
                        "Failover %s: connection from %s refused: the partner is %s (logged once per source, counted in"
                                + " tandem_failover_connections_refused_total)",
                        config.name(), from, config.peerAddress());
            }
        });
    }

    /** Whether a refusal of this source for this reason is the first (bounded: a scan cannot grow it without end). */
    private boolean firstFrom(String source, String reason) {
        return refusalsLogged.size() < 1000 && refusalsLogged.add(source + " " + reason);
    }

    @Override
    public void received(PeerConnection connection, FailoverMessage message) {
        actor.run(() -> {
            if (connection.closed()) {
                return;
            }
            if (connection == link) {
                restartReceiveTimer();
            }
            Optional<MessageType> type = message.messageType();
            if (type.isEmpty()) {
                return; // unknown types are ignored (ISC does the same for types without options)
            }
            metrics.count(
                    "tandem_failover_messages_received_total",
                    "type",
                    type.get().name());
            switch (type.get()) {
                case CONNECT -> onConnect(connection, message);
                case CONNECTACK -> onConnectAck(connection, message);
                case DISCONNECT -> {
                    Log.warnf(
                            "Failover %s: the partner disconnects: %s %s",
                            config.name(),
                            FailoverMessages.rejectReason(message)
                                    .map(Enum::name)
                                    .orElse(""),
                            message.text(FailoverOption.MESSAGE).orElse(""));
                    connection.close();
                }
                default -> {
                    if (connection == link) {
                        events.message(connection, type.get(), message);
                    }
                }
            }
        });
    }

    private void onConnect(PeerConnection connection, FailoverMessage m) {
        metrics.skew(m.time() - now());
        Optional<ConnectPolicy.Refusal> refusal = ConnectPolicy.connect(
                config.primary(),
                config.name(),
                m,
                now(),
                settings.maxClockSkew().toSeconds(),
                link != null);
        if (refusal.isPresent()) {
            RejectReason reject = refusal.get().reason();
            String why = refusal.get().why();
            metrics.count("tandem_failover_connect_rejected_total", "reason", reject.tag());
            Log.warnf("Failover %s: CONNECT from %s rejected: %s", config.name(), connection, why);
            connection.send(connectAck(m.xid(), reject, why));
            connection.close();
            return;
        }
        partnerTerms(m);
        mclt = Duration.ofSeconds(m.u32(FailoverOption.MCLT).orElseThrow());
        buckets = LoadBalance.Buckets.of(
                m.bytes(FailoverOption.HASH_BUCKET_ASSIGNMENT).orElseThrow());
        connection.send(connectAck(m.xid(), null, null));
        established(connection);
    }

    private FailoverMessage connectAck(long xid, RejectReason reject, String why) {
        return FailoverMessages.connectAck(
                now(),
                xid,
                config.name(),
                config.maxUnackedUpdates(),
                config.maxResponseDelay().toSeconds(),
                settings.vendorClass(),
                reject,
                why);
    }

    private void onConnectAck(PeerConnection connection, FailoverMessage m) {
        if (!config.primary() || !handshaking.contains(connection)) {
            connection.close();
            return;
        }
        metrics.skew(m.time() - now());
        Optional<RejectReason> reject = FailoverMessages.rejectReason(m);
        if (reject.isPresent()) {
            Log.warnf(
                    "Failover %s: the partner rejected our CONNECT: %s %s",
                    config.name(),
                    reject.get().tag(),
                    m.text(FailoverOption.MESSAGE).orElse(""));
            connection.close();
            return;
        }
        Optional<ConnectPolicy.Refusal> refusal = ConnectPolicy.connectAck(
                config.name(), m, now(), settings.maxClockSkew().toSeconds());
        if (refusal.isPresent()) {
            connection.send(FailoverMessages.disconnect(
                    now(), refusal.get().reason(), refusal.get().why()));
            connection.close();
            return;
        }
        partnerTerms(m);
        established(connection);
    }

    /** What the partner's CONNECT or CONNECTACK says of it: its vendor, its window, its receive timer. */
    private void partnerTerms(FailoverMessage m) {
        partnerVendor = m.text(FailoverOption.VENDOR_CLASS).orElse("");
        partnerWindow = Math.max(1, m.u32(FailoverOption.MAX_UNACKED_BNDUPD).orElse(1L));
        partnerReceiveTimer = Math.max(3, m.u32(FailoverOption.RECEIVE_TIMER).orElse(60L));
    }

    private void established(PeerConnection connection) {
        handshaking.remove(connection);
        handshaking.forEach(PeerConnection::close);
        handshaking.clear();
        link = connection;
        dialTimer = actor.cancel(dialTimer);
        Log.infof(
                "Failover %s: connected to the partner (%s, %s)%s",
                config.name(),
                connection,
                partnerVendor.isEmpty() ? "no vendor class" : partnerVendor,
                iscPartner() ? "; ISC dhcpd: pools are balanced to half and half, as it does" : "");
        events.established(connection);
        restartReceiveTimer();
        scheduleContact();
    }

    private void restartReceiveTimer() {
        actor.cancel(receiveTimer);
        receiveTimer = actor.after(config.maxResponseDelay(), () -> {
            if (link != null) {
                Log.warnf(
                        "Failover %s: nothing from the partner for %s s; dropping the connection",
                        config.name(), config.maxResponseDelay().toSeconds());
                disconnect(
                        RejectReason.NO_TRAFFIC,
                        "no traffic within " + config.maxResponseDelay().toSeconds() + " s");
            }
        });
    }

    private void scheduleContact() {
        actor.cancel(contactTimer);
        // ISC sends CONTACT every partner-receive-timer / 3 s; so do we (tSend, §7.9.1).
        contactTimer = actor.every(Duration.ofMillis(Math.max(1000, partnerReceiveTimer * 1000 / 3)), () -> {
            if (link != null) {
                link.sendRequest(FailoverMessages.empty(MessageType.CONTACT, now(), 0));
            }
        });
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }
}

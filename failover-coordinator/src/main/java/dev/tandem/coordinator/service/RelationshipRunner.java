package dev.tandem.coordinator.service;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.coordinator.domain.ConnectPolicy;
import dev.tandem.coordinator.domain.CrossingRule;
import dev.tandem.coordinator.domain.FailoverStateMachine;
import dev.tandem.coordinator.domain.LeaseStoreCheck;
import dev.tandem.coordinator.domain.UnansweredUpdates;
import dev.tandem.coordinator.domain.WaitingFor;
import dev.tandem.coordinator.peer.PeerConnection;
import dev.tandem.coordinator.peer.PeerTransport;
import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.FailoverOption;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.failover.LoadBalance;
import dev.tandem.protocol.failover.MessageType;
import dev.tandem.protocol.failover.RejectReason;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One failover relationship on this server: the partner connection, the state machine, the binding updates in both
 * directions. All its work runs on one Vert.x context, so its fields need no locks; other threads enter through
 * {@link #run}.
 */
public final class RelationshipRunner implements PeerTransport.Listener {

    /**
     * ISC dhcpd balances every pool to half and half whatever the split (its hot standby included), and gives back
     * whatever it holds beyond that. Balancing to another share against it would move addresses back and forth on
     * every pass, so with an ISC partner both aim at half.
     */
    static final int ISC_SECONDARY_PERCENT = 50;

    /** Where the runner's decisions go: Kafka in the service, anything in a test. */
    public interface Bus {
        void publish(FailoverStatus status);

        void acknowledged(BindingAck ack);

        void command(FailoverCommand command);

        Uni<BindingAck> applyPartnerUpdate(BindingUpdate update);
    }

    private final String server;
    private final RelationshipConfig config;
    /** The relationship's scopes as configured now: which addresses it holds, a joining scope's among them. */
    private List<ScopeConfig> pools;
    /**
     * The configuration revision this runner runs with (the latest applied; the relationship itself changes only with a
     * new runner): the lease-service balances with its shares and applies the partner's updates once it has it too.
     */
    private long revision;

    private final CoordinatorConfig.Failover settings;
    private final Bus bus;
    private final Clock clock;
    private final Vertx vertx;
    private final Context context;
    private final PeerTransport transport;
    private final Metrics metrics;

    // State (draft §9.1: persisted with its start time through the published status).
    private FailoverState state = FailoverState.STARTUP;
    private Instant since;
    private FailoverState previous;
    private Instant lastOperation;
    private FailoverState partnerState = FailoverState.UNKNOWN;
    private Instant partnerSince;
    private boolean everCommunicated;
    private Instant recoverSince;
    private Duration mclt;
    private LoadBalance.Buckets buckets;
    /** Maintenance: until when this server, in SHUTDOWN, still finishes the exchanges in flight. */
    private Instant drainUntil;
    /** Whether this server's lease-services and gateways can serve ({@link DataPath}), and why not. */
    private boolean dataPathUp = true;

    private String dataPathWhy;
    /** Paused, this server saw the partner take over (PARTNER-DOWN): it comes back through RECOVER. */
    private boolean partnerTookOver;
    /** When this server paused; null when it resumed a pause at start (for how long, unknown). */
    private Instant pausedAt;
    /** Set while pausing after this coordinator was stopped: when it stopped. */
    private Instant stoppedAt;
    /** When the state was last published (every second): a longer gap means this coordinator was stopped. */
    private Instant lastPublished;
    /**
     * A gap in publishing this long pauses the relationship: as long as the lease-services' max-failover-state-age
     * (5 s), after which they stopped allocating and the partner may have begun to take over.
     */
    static final Duration AWAY = Duration.ofSeconds(5);

    // The lease database the state goes with: a state is stable storage only together with its bindings (§9.3.2).
    private String leaseStore;
    private long storeSequence;
    /** Whether the lease-service has named its database in answer to this runner's identify command. */
    private boolean storeChecked;

    private final String identifyRequest = UUID.randomUUID().toString();
    /** A resumed state leaves STARTUP only once the database is checked: the partner's STATE or the timeout, held. */
    private FailoverMessage heldState;

    private boolean heldTimeout;

    // The link: established after CONNECT/CONNECTACK; communicating after the partner's STATE too (§8.3).
    private PeerConnection link;
    private final List<PeerConnection> handshaking = new java.util.ArrayList<>();
    private boolean communicating;
    private long partnerWindow = 1;
    private long partnerReceiveTimer = 60;
    /** The partner's vendor class from CONNECT or CONNECTACK: ISC dhcpd sends "isc-" and its version. */
    private String partnerVendor = "";

    // Our updates to the partner: queued by address (latest wins), in flight by xid.
    private final LinkedHashMap<String, Queued> queue = new LinkedHashMap<>();
    private final Map<Long, Queued> inFlight = new HashMap<>();
    /** Which of our updates in flight the partner lost: see {@link #checkUnanswered}. */
    private final UnansweredUpdates unanswered = new UnansweredUpdates();

    /** The highest update number seen from the lease-service, and what it was at the last unacked recheck. */
    private long highestSeen;

    private long recheckBound;
    /** The unacked recheck asked for and not ended yet (its end marker), and when it was asked. */
    private String recheck;

    private Instant recheckSent = Instant.EPOCH;
    /** A recheck whose end never came (the lease-service failed it) no longer holds the next one back after this. */
    private static final Duration RECHECK_PATIENCE = Duration.ofMinutes(5);
    /** The resend of unacknowledged updates asked for when the link came up, until its end marker arrives. */
    private String connectionResend;

    private final AtomicLong ordinal = new AtomicLong();
    /** UPDDONE owed to the partner once every update queued before the barrier is acked. */
    private final Deque<UpdateDoneOwed> owed = new ArrayDeque<>();
    /** Our own UPDREQ/UPDREQALL waiting for the partner's UPDDONE, and whether it is an UPDREQALL. */
    private boolean awaitingUpdateDone;
    /** The xid of our latest UPDREQ/UPDREQALL: only the UPDDONE that answers it counts (ISC and Tandem echo it). */
    private long requestXid = -1;

    private boolean requestedAll;
    /**
     * Scopes that joined this running relationship (in its configuration, not in the state it resumed) and whose
     * bindings the partner has not sent yet: an UPDREQALL asks for them, and until its UPDDONE the lease-service
     * allocates nothing in them (a scope with live leases on either server may join).
     */
    private final java.util.TreeSet<String> joining = new java.util.TreeSet<>();
    /**
     * Joining scopes of which the partner's full update under way brought a binding. A partner that sends none of a
     * scope does not have it in the relationship yet (its configuration lags, or lacks it): until it does, it may serve
     * the scope apart (as a scope that left), so the scope keeps joining, and it is asked again.
     */
    private final Set<String> covered = new HashSet<>();
    /** Whether the partner asked for all our updates since our own UPDREQALL went (it has just joined a scope). */
    private boolean partnerAskedAll;
    /**
     * Whether the partner reported RECOVER and has not recovered since (RECOVER-WAIT, RECOVER-DONE, NORMAL): it may have
     * lost its lease database, and may ask for less than all of our bindings. ISC dhcpd without its lease file starts
     * in RECOVER, reports it on connecting, then moves to POTENTIAL-CONFLICT on our stored NORMAL and asks only for the
     * updates it has not acknowledged: with only those it would hold no free address of its own, and our balance would
     * give it none (by our records it has them). Its requests get all our bindings until one full resend has been
     * acknowledged. A partner in POTENTIAL-CONFLICT that never reported RECOVER gets only the unacknowledged ones: a
     * full resend there would send bindings it acknowledged long ago as new, and ISC's conflict resolution takes our
     * RELEASED or ABANDONED over its newer ACTIVE.
     */
    private boolean partnerMayLackBindings;
    /** Whether the wait for a partner lacking a joining scope was logged (once per runner). */
    private boolean uncoveredLogged;

    private long joinRetryTimer = -1;
    /** Sources and reasons of refused connections and messages already logged. */
    private final Set<String> refusalsLogged = new HashSet<>();
    /** When the partner was last asked again at once for a joining scope: at most every 30 s (two joins can cross). */
    private Instant joinAskedAgainAt = Instant.EPOCH;
    /** The pause before asking again for a joining scope the partner lacks: doubles up to 5 min. */
    private Duration joinRetry = JOIN_RETRY_FIRST;

    private static final Duration JOIN_RETRY_FIRST = Duration.ofSeconds(30);
    private static final Duration JOIN_RETRY_MAX = Duration.ofMinutes(5);
    /**
     * The partner's updates on the current connection not yet applied by the lease-service, by order of receipt, and
     * the receipt number of the last update before the partner's UPDDONE (-1: none pending). UPDDONE counts only once
     * every update sent before it is applied: a binding of the partner's full update applied after this server has
     * entered NORMAL and balanced its pool would undo the balancing here but not there.
     */
    private final java.util.TreeSet<Long> applying = new java.util.TreeSet<>();
    /**
     * How many of the partner's updates of each address are being decided here (once no longer held: see
     * {@link #decide}). Ours of such an address waits
     * ({@link #pump}): our BNDACK of theirs goes first, as ISC dhcpd orders them, so that ours, made after theirs was
     * applied, cannot reach the partner before that BNDACK and be taken for one crossing its update.
     */
    private final Map<String, Integer> deciding = new HashMap<>();
    /** The address of each of the partner's updates being decided, by receipt. */
    private final Map<Long, String> decidingReceipts = new HashMap<>();
    /**
     * The update number each address's row took when the partner's update of it was last applied here: an update of
     * ours numbered below it is stale (see {@link #enqueue}). Stale ones come within a consumer's lag, so the oldest
     * entries go beyond a bound.
     */
    private final Map<String, Long> appliedAt = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > APPLIED_REMEMBERED;
        }
    };

    private static final int APPLIED_REMEMBERED = 65_536;

    private long received;
    private long updateDoneBarrier = -1;
    /** The partner's updates that arrived while a resend of ours was on its way ({@link #resending}). */
    private final List<Held> held = new java.util.ArrayList<>();
    /** With ISC: the partner's updates that crossed ours in flight, waiting for its answer to ours, by our xid. */
    private final Map<Long, List<Held>> awaitingAnswer = new HashMap<>();
    /** Whether a crossed pool update was logged on the current connection (they come by the dozen). */
    private boolean crossingLogged;
    /** The partner's POOLREQs on the current connection waiting for the lease-service's balance pass: request id → xid. */
    private final Map<String, Long> poolRequests = new HashMap<>();

    private long contactTimer = -1;
    private long receiveTimer = -1;
    private long startupTimer = -1;
    private long safePeriodTimer = -1;
    private long recoverWaitTimer = -1;
    private long dialTimer = -1;
    private long refreshTimer = -1;
    private long balanceTimer = -1;
    private long identifyTimer = -1;
    private long recheckTimer = -1;
    private long stallTimer = -1;
    private long unansweredTimer = -1;
    /**
     * The last sign that a wait is moving (a state change, the partner's state, update or UPDDONE): a wait in a state
     * that serves nobody (see {@link WaitingFor}) without one for {@code stall-after} is a stall.
     */
    private Instant progressAt;
    /** The stall reported in the current state (logged and counted once per state and what it waits for). */
    private WaitingFor stalled;

    private boolean stopped;

    private record Queued(BindingUpdate update, long ordinal) {}

    /**
     * A partner's update held during a resend of ours or, with ISC, until the partner answers ours that it crossed; and
     * that update of ours of its address.
     */
    private static final class Held {
        final PeerConnection connection;
        final long xid;
        final Binding binding;
        final long receipt;
        BindingUpdate crossedBy;
        /** With ISC: the xids of ours that it crossed and whose answer it awaits. */
        final Set<Long> awaited = new HashSet<>();
        /** With ISC: whether ISC took any of ours that it crossed, and whether any of those is ACTIVE. */
        boolean oursTaken;

        boolean oursActive;
        /** With ISC: applied at once (an ACTIVE), and the update number the row took (0: not yet, or settled). */
        boolean appliedAtOnce;

        long appliedSequence;

        Held(PeerConnection connection, long xid, Binding binding, long receipt) {
            this.connection = connection;
            this.xid = xid;
            this.binding = binding;
            this.receipt = receipt;
        }

        void crossed(long xid, BindingUpdate ours) {
            awaited.add(xid);
            crossedBy = ours;
            oursActive |= "ACTIVE".equals(ours.status());
        }

        void answer(long xid, boolean taken) {
            awaited.remove(xid);
            oursTaken |= taken;
        }
    }

    private record UpdateDoneOwed(String requestId, long xid, long barrier, PeerConnection connection, boolean all) {}

    public RelationshipRunner(
            String server,
            RelationshipConfig config,
            List<ScopeConfig> pools,
            long revision,
            CoordinatorConfig.Failover settings,
            Optional<FailoverStatus> restored,
            Bus bus,
            MeterRegistry registry,
            Clock clock,
            Vertx vertx) {
        this.server = server;
        this.config = config;
        this.pools = List.copyOf(pools);
        this.revision = revision;
        this.settings = settings;
        this.bus = bus;
        this.clock = clock;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.metrics = new Metrics(
                registry, config.name(), () -> state, () -> since, () -> (long) queue.size() + inFlight.size());
        this.mclt = config.mclt();
        this.buckets = config.hashBuckets();
        this.since = clock.instant();
        this.progressAt = since;
        restored.ifPresent(s -> {
            previous = s.localState();
            if (previous == FailoverState.STARTUP) {
                previous = null;
            }
            lastOperation = s.updatedAt();
            if (previous != null && s.scopes() != null) {
                config.scopes().stream()
                        .filter(scope -> !s.scopes().contains(scope) || s.joining(scope))
                        .forEach(joining::add);
            }
            everCommunicated = s.everCommunicated();
            leaseStore = s.leaseStore();
            storeSequence = s.storeSequence();
            if (!config.primary() && s.mclt() > 0) {
                mclt = Duration.ofSeconds(s.mclt());
            }
        });
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

    public String name() {
        return config.name();
    }

    public RelationshipConfig config() {
        return config;
    }

    public long revision() {
        return revision;
    }

    public List<ScopeConfig> pools() {
        return pools;
    }

    /**
     * A new configuration revision that leaves the relationship as it is: its scopes' pools may have changed. Our
     * updates of addresses new to them were held back (see {@link #enqueue}): the lease-service sends them again.
     */
    public void reconfigured(long revision, List<ScopeConfig> pools) {
        run(() -> {
            boolean changed = !this.pools.equals(pools);
            this.revision = Math.max(this.revision, revision);
            this.pools = List.copyOf(pools);
            if (changed && link != null && connectionResend == null) {
                command(FailoverCommand.RESEND_UNACKED);
            }
        });
    }

    /** Runs work on this relationship's context. */
    public void run(Runnable work) {
        context.runOnContext(v -> {
            if (!stopped) {
                work.run();
            }
        });
    }

    /** Starts listening, dialling and the STARTUP timer (§9.3). */
    public void start() {
        run(() -> {
            Log.infof(
                    "Failover relationship %s: %s of %s, %s mode, previous state %s; listening on %s:%d, partner %s:%d%s",
                    config.name(),
                    config.primary() ? "primary" : "secondary",
                    server,
                    config.mode(),
                    (previous == null ? "none (new)" : previous.label())
                            + (joining.isEmpty() ? "" : "; scope(s) " + joining + " joining"),
                    config.localAddress(),
                    config.port(),
                    config.peerAddress(),
                    config.peerPort(),
                    (config.sharedSecret() == null ? "" : ", messages authenticated")
                            + (config.tls() ? ", over TLS" : ""));
            publish();
            transport
                    .listen()
                    .onFailure(e -> Log.errorf(
                            "Failover relationship %s cannot listen on %s:%d: %s",
                            config.name(), config.localAddress(), config.port(), e.getMessage()));
            dial();
            identifyLeaseStore();
            startupTimer = vertx.setTimer(settings.startupTime().toMillis(), id -> run(this::startupExpired));
            // Republished every second: a lease-service does not act on a state older than its max-failover-state-age
            // (5 s), so this server stops allocating soon after its coordinator is gone (fate-sharing the other way).
            refreshTimer = vertx.setPeriodic(1_000, id -> run(this::publish));
            if (!settings.unackedRecheckInterval().isZero()) {
                recheckTimer = vertx.setPeriodic(
                        settings.unackedRecheckInterval().toMillis(), id -> run(this::recheckUnacked));
            }
            if (!settings.stallAfter().isZero()) {
                stallTimer = vertx.setPeriodic(
                        Math.max(100, Math.min(5_000, settings.stallAfter().toMillis() / 4)),
                        id -> run(this::checkStall));
            }
            if (!settings.unansweredAfter().isZero()) {
                unansweredTimer = vertx.setPeriodic(
                        Math.max(100, Math.min(5_000, settings.unansweredAfter().toMillis() / 4)),
                        id -> run(this::checkUnanswered));
            }
            if (!settings.poolBalanceInterval().isZero()) {
                balanceTimer = vertx.setPeriodic(
                        settings.poolBalanceInterval().toMillis(),
                        id -> run(() -> {
                            if (state == FailoverState.NORMAL && link != null) {
                                command(FailoverCommand.BALANCE);
                            }
                        }));
            }
        });
    }

    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            stopped = true;
            for (long t : new long[] {
                contactTimer,
                receiveTimer,
                startupTimer,
                safePeriodTimer,
                recoverWaitTimer,
                dialTimer,
                refreshTimer,
                balanceTimer,
                joinRetryTimer,
                identifyTimer,
                recheckTimer,
                stallTimer,
                unansweredTimer
            }) {
                if (t >= 0) {
                    vertx.cancelTimer(t);
                }
            }
            if (link != null) {
                link.close();
            }
            handshaking.forEach(PeerConnection::close);
            metrics.close();
            transport.stop().onComplete(x -> done.complete(null));
        });
        return done;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Connection

    private void dial() {
        if (stopped || link != null) {
            return;
        }
        if (handshaking.isEmpty()) {
            transport.dial();
        }
        dialTimer = vertx.setTimer(settings.reconnectInterval().toMillis(), id -> run(this::dial));
    }

    @Override
    public void connected(PeerConnection connection) {
        run(() -> {
            if (link != null) {
                // One link per relationship: a second TCP connection is closed (ISC: duplicate connection).
                connection.close();
                return;
            }
            handshaking.add(connection);
            vertx.setTimer(
                    settings.handshakeTimeout().toMillis(),
                    id -> run(() -> {
                        if (handshaking.remove(connection)) {
                            Log.warnf(
                                    "Failover %s: no handshake on %s within %s; closing",
                                    config.name(), connection, settings.handshakeTimeout());
                            connection.close();
                        }
                    }));
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
        run(() -> {
            handshaking.remove(connection);
            if (connection != link) {
                return;
            }
            link = null;
            communicating = false;
            cancel(contactTimer);
            cancel(receiveTimer);
            // Unacked updates stay unacked in the lease table and are resent on the next connection.
            queue.clear();
            poolRequests.clear();
            inFlight.clear();
            unanswered.connectionEnded();
            owed.clear();
            awaitingUpdateDone = false;
            applying.clear();
            deciding.clear();
            decidingReceipts.clear();
            updateDoneBarrier = -1;
            crossingLogged = false;
            held.clear();
            awaitingAnswer.clear();
            connectionResend = null;
            metrics.count("tandem_failover_connection_lost_total");
            Log.warnf("Failover %s: connection to the partner lost", config.name());
            FailoverStateMachine.onCommunicationsFailed(state)
                    .ifPresent(next -> transition(next, "communications failed"));
            publish();
            dial();
        });
    }

    @Override
    public void refused(PeerConnection connection, String reason, String detail) {
        run(() -> {
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
        run(() -> {
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
        run(() -> {
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
            if (connection == link
                    && (type.get() == MessageType.STATE
                            || type.get() == MessageType.BNDUPD
                            || type.get() == MessageType.UPDDONE)) {
                progressAt = clock.instant();
            }
            switch (type.get()) {
                case CONNECT -> onConnect(connection, message);
                case CONNECTACK -> onConnectAck(connection, message);
                case STATE -> {
                    if (connection == link) {
                        onState(message);
                    }
                }
                case BNDUPD -> {
                    if (connection == link) {
                        onBindingUpdate(connection, message);
                    }
                }
                case BNDACK -> {
                    if (connection == link) {
                        onBindingAck(message);
                    }
                }
                case UPDREQ, UPDREQALL -> {
                    if (connection == link) {
                        onUpdateRequest(connection, message, type.get() == MessageType.UPDREQALL);
                    }
                }
                case UPDDONE -> {
                    if (connection == link) {
                        onUpdateDone(message.xid());
                    }
                }
                case POOLREQ -> {
                    if (connection == link) {
                        onPoolRequest(connection, message);
                    }
                }
                case POOLRESP -> {
                    if (connection == link) {
                        metrics.count("tandem_failover_pool_messages_total", "type", "poolresp-received");
                        Log.infof(
                                "Failover %s: the partner gives us %d free addresses (POOLRESP)",
                                config.name(),
                                message.u32(FailoverOption.ADDRESSES_TRANSFERRED)
                                        .orElse(0L));
                    }
                }
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
                    // CONTACT: receipt already reset the receive timer.
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
        partnerVendor = m.text(FailoverOption.VENDOR_CLASS).orElse("");
        partnerWindow = Math.max(1, m.u32(FailoverOption.MAX_UNACKED_BNDUPD).orElse(1L));
        partnerReceiveTimer = Math.max(3, m.u32(FailoverOption.RECEIVE_TIMER).orElse(60L));
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
        partnerVendor = m.text(FailoverOption.VENDOR_CLASS).orElse("");
        partnerWindow = Math.max(1, m.u32(FailoverOption.MAX_UNACKED_BNDUPD).orElse(1L));
        partnerReceiveTimer = Math.max(3, m.u32(FailoverOption.RECEIVE_TIMER).orElse(60L));
        established(connection);
    }

    private void established(PeerConnection connection) {
        handshaking.remove(connection);
        handshaking.forEach(PeerConnection::close);
        handshaking.clear();
        link = connection;
        everCommunicated = true;
        progressAt = clock.instant();
        cancel(dialTimer);
        Log.infof(
                "Failover %s: connected to the partner (%s, %s)%s",
                config.name(),
                connection,
                partnerVendor.isEmpty() ? "no vendor class" : partnerVendor,
                iscPartner() ? "; ISC dhcpd: pools are balanced to half and half, as it does" : "");
        sendState();
        restartReceiveTimer();
        scheduleContact();
        // Whatever the partner has not acknowledged goes again (§9.4.1: on entry to NORMAL send unacked updates).
        String resend = UUID.randomUUID().toString();
        connectionResend = resend;
        askLeaseService(FailoverCommand.RESEND_UNACKED, resend, connection, () -> resend.equals(connectionResend));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // State

    private void onState(FailoverMessage m) {
        FailoverState reported =
                m.u8(FailoverOption.SERVER_STATE).flatMap(FailoverState::of).orElse(FailoverState.UNKNOWN);
        // before a held startup returns: ISC reports RECOVER on connecting, then its next state at once (our NORMAL
        // moves it to POTENTIAL-CONFLICT) and its UPDREQ, which are answered while our startup is held
        if (reported == FailoverState.RECOVER) {
            partnerMayLackBindings = true;
        } else if (reported == FailoverState.RECOVER_WAIT
                || reported == FailoverState.RECOVER_DONE
                || reported == FailoverState.NORMAL) {
            partnerMayLackBindings = false; // it has recovered
        }
        if (state == FailoverState.STARTUP && holdingStartup()) {
            heldState = m;
            return;
        }
        boolean startupFlag =
                m.u8(FailoverOption.SERVER_FLAGS).map(f -> (f & 1) != 0).orElse(false);
        Instant reportedSince = m.u32(FailoverOption.START_TIME_OF_STATE)
                .filter(t -> t > 0)
                .map(Instant::ofEpochSecond)
                .orElse(clock.instant());
        metrics.skew(m.time() - now());
        boolean wasCommunicating = communicating;
        communicating = true;
        FailoverState before = partnerState;
        partnerState = reported;
        partnerSince = reportedSince;
        if (state == FailoverState.PAUSED && reported == FailoverState.PARTNER_DOWN) {
            partnerTookOver = true;
        }
        if (state == FailoverState.STARTUP) {
            cancel(startupTimer);
            transition(
                    FailoverStateMachine.startup(previous, reported, reportedSince, lastOperation),
                    "partner is " + reported.label() + (startupFlag ? " (starting)" : ""));
        } else if (startupFlag) {
            // §9.3.1: a partner in STARTUP reports its previous state; wait for its real one. Communication counts as
            // OK only from that real report: what this state does on contact (UPDREQALL in RECOVER) waits for it.
            communicating = wasCommunicating;
            publish();
            return;
        } else {
            Optional<FailoverState> next = FailoverStateMachine.onPartnerState(state, reported);
            for (var action : FailoverStateMachine.onPartnerStateActions(state, config.primary(), reported)) {
                if (action == FailoverStateMachine.Action.SEND_UPDREQ) {
                    requestUpdates(false);
                }
            }
            if (next.isPresent()) {
                transition(next.get(), "partner is " + reported.label());
            } else if (!wasCommunicating) {
                onCommunicationsOk();
            }
        }
        if (before != reported) {
            Log.infof("Failover %s: partner moves to %s", config.name(), reported.label());
        }
        publish();
        // the partner's state may allow the pause now (it left CONFLICT-DONE), or its end (contact again)
        checkDataPath();
    }

    /** Communication became OK without a state change: what the current state does on contact. */
    private void onCommunicationsOk() {
        if (state == FailoverState.RECOVER) {
            requestUpdates(true);
        } else if (state == FailoverState.POTENTIAL_CONFLICT && config.primary()) {
            requestUpdates(false);
        } else if (state == FailoverState.POTENTIAL_CONFLICT && partnerState == FailoverState.CONFLICT_DONE) {
            // The secondary entering POTENTIAL-CONFLICT (again) after the primary is done asks at once (§9.9): the
            // primary reports nothing new until this server is NORMAL.
            requestUpdates(false);
        } else if (!joining.isEmpty() && state == FailoverState.NORMAL) {
            // The partner's bindings of the joining scopes; only in NORMAL, where its UPDDONE changes no state (in
            // POTENTIAL-CONFLICT it would end the resolution early); other states get here on their way to NORMAL.
            requestUpdates(true);
        }
    }

    /** This server's data path can serve, or cannot (the reason): pause, or come back from the pause. */
    public void onDataPath(boolean up, String why) {
        run(() -> {
            dataPathUp = up;
            dataPathWhy = why;
            checkDataPath();
        });
    }

    /** A serving state pauses while the data path is down; the pause ends once it is up (FailoverStateMachine). */
    private void checkDataPath() {
        if (dataPathUp) {
            // This server's safe period stands in for the partner's, which is not known here (ISC sends none).
            boolean mayHaveTakenOver = !config.safePeriod().isZero()
                    && (pausedAt == null || !pausedAt.plus(config.safePeriod()).isAfter(clock.instant()));
            FailoverStateMachine.onDataPathBack(state, partnerTookOver, communicating, partnerState, mayHaveTakenOver)
                    .ifPresent(next -> transition(next, "this server can serve again"));
        } else {
            FailoverStateMachine.onDataPathLost(state, partnerState)
                    .ifPresent(next -> transition(next, "this server cannot serve: " + dataPathWhy));
        }
    }

    /** What this relationship waits for before it moves on, in a state that serves nobody; empty otherwise. */
    private Optional<WaitingFor> waitingFor() {
        return WaitingFor.of(
                state,
                config.primary(),
                link != null,
                communicating,
                partnerState,
                awaitingUpdateDone,
                updateDoneBarrier >= 0);
    }

    /**
     * A wait without progress for {@code stall-after} is a stall: logged (once per state and what it waits for) with
     * what is missing, counted in {@code tandem_failover_stalls_total}, and acted on where something here can unstick
     * it: our state sent again (a lost STATE leaves both sides waiting for each other), or the partner asked again
     * for its bindings (an unanswered request, or one never sent). The action repeats every {@code stall-after} while
     * the stall lasts.
     */
    private void checkStall() {
        Optional<WaitingFor> waiting = waitingFor();
        Instant now = clock.instant();
        if (waiting.isEmpty()
                || waiting.get() == WaitingFor.MCLT
                || now.isBefore(progressAt.plus(settings.stallAfter()))) {
            return; // MCLT ends on a timer, here or at the partner
        }
        WaitingFor w = waiting.get();
        progressAt = now;
        boolean askAgain = w.remedy() == WaitingFor.Remedy.ASK_AGAIN;
        if (askAgain && !(applying.isEmpty() && held.isEmpty())) {
            return; // the partner's updates are still being applied here: its window is full, its answer not lost
        }
        if (w != stalled) {
            stalled = w;
            metrics.count("tandem_failover_stalls_total", "state", state.label(), "waiting", w.label());
            Log.warnf(
                    "Failover %s: %s for %d s, waiting for %s%s",
                    config.name(),
                    state.label(),
                    Duration.between(since, now).toSeconds(),
                    w.description(),
                    askAgain
                            ? "; asking the partner again every "
                                    + settings.stallAfter().toSeconds() + " s while it lasts"
                            : "");
        }
        if (w == WaitingFor.UPDATE_DONE) {
            awaitingUpdateDone = false;
            requestUpdates(requestedAll || state == FailoverState.RECOVER);
        } else if (w == WaitingFor.NOT_ASKED) {
            onCommunicationsOk();
        }
    }

    private void transition(FailoverState next, String why) {
        if (state == FailoverState.STARTUP
                && !dataPathUp
                && FailoverStateMachine.onDataPathLost(next, partnerState).isPresent()) {
            // A server that cannot serve does not resume a serving state: the partner serves instead.
            why = why + "; paused instead, this server cannot serve: " + dataPathWhy;
            next = FailoverState.PAUSED;
        }
        if (next == state) {
            onCommunicationsOk();
            return;
        }
        FailoverState from = state;
        Instant now = clock.instant();
        state = next;
        since = now;
        progressAt = now;
        stalled = null;
        metrics.count("tandem_failover_transitions_total", "to", next.label());
        Log.infof("Failover %s: %s -> %s (%s)", config.name(), from.label(), next.label(), why);
        cancel(safePeriodTimer);
        cancel(recoverWaitTimer);
        drainUntil = null;
        switch (next) {
            case COMMUNICATIONS_INTERRUPTED -> {
                if (!config.safePeriod().isZero()) {
                    // §10: the safe period, after which the partner is taken to be down.
                    safePeriodTimer = vertx.setTimer(
                            config.safePeriod().toMillis(),
                            id -> run(() -> FailoverStateMachine.onSafePeriodExpired(state)
                                    .ifPresent(s -> transition(
                                            s,
                                            "safe period of "
                                                    + config.safePeriod().toSeconds() + " s ended"))));
                }
            }
            case RECOVER -> recoverSince = now;
            case PAUSED -> {
                partnerTookOver = false;
                // resumed at start: how long it has lasted is not known, so the partner may have taken over
                pausedAt = from == FailoverState.STARTUP ? null : stoppedAt != null ? stoppedAt : now;
                stoppedAt = null;
                metrics.count("tandem_failover_data_path_pauses_total");
            }
            case RECOVER_WAIT -> {
                Instant until = (recoverSince == null ? now : recoverSince).plus(mclt);
                recoverWaitTimer = vertx.setTimer(
                        Math.max(1, Duration.between(now, until).toMillis()),
                        id -> run(() -> FailoverStateMachine.onRecoverWaitExpired(state)
                                .ifPresent(s -> transition(s, "MCLT after recovery began has passed"))));
            }
            default -> {}
        }
        publish();
        if (link != null) {
            sendState();
            onCommunicationsOk();
            if (next == FailoverState.NORMAL) {
                // Pool balancing (§5.4): this server gives away its own surplus of free addresses, and the secondary
                // asks the primary to do the same (§7.6).
                command(FailoverCommand.BALANCE);
                if (!config.primary()) {
                    link.sendRequest(FailoverMessages.empty(MessageType.POOLREQ, now(), 0));
                    metrics.count("tandem_failover_pool_messages_total", "type", "poolreq-sent");
                }
            }
        }
        // a serving state entered while the data path is down pauses; a PAUSED resumed at start ends if it can serve
        checkDataPath();
    }

    private void startupExpired() {
        if (state == FailoverState.STARTUP && holdingStartup()) {
            heldTimeout = true;
            return;
        }
        if (state == FailoverState.STARTUP) {
            transition(FailoverStateMachine.startupTimeout(previous), "no word from the partner during startup");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The lease database

    /** A stored state is resumed only on the database it was recorded with; a new server has nothing to resume. */
    private boolean holdingStartup() {
        return !storeChecked && previous != null;
    }

    /** Asks the lease-service to name its database, again every 5 s until it has (it may be starting too). */
    private void identifyLeaseStore() {
        command(FailoverCommand.IDENTIFY, identifyRequest);
        identifyTimer = vertx.setPeriodic(
                5_000,
                id -> run(() -> {
                    if (storeChecked) {
                        cancel(identifyTimer);
                        return;
                    }
                    if (holdingStartup()) {
                        Log.warnf(
                                "Failover %s: waiting for the lease-service to name its lease database before"
                                        + " resuming %s",
                                config.name(), previous.label());
                    }
                    command(FailoverCommand.IDENTIFY, identifyRequest);
                }));
    }

    /**
     * The lease-service named its database: in answer to our identify command, or unasked when it started. Completes
     * with true when this relationship's state belongs to another database and the server must start the relationship
     * over as a new one (an answer during STARTUP does that here). The update number is compared only in the answer
     * to our own ask at startup: an announcement may have been read before updates this runner saw since.
     */
    public CompletableFuture<Boolean> checkLeaseStore(BindingUpdate named) {
        return onContext(() -> {
            boolean answer = identifyRequest.equals(named.resendDone());
            long sequence = named.storeSequence() == null ? 0 : named.storeSequence();
            LeaseStoreCheck check =
                    LeaseStoreCheck.of(leaseStore, storeSequence, storeChecked, answer, named.leaseStore(), sequence);
            if (check.verdict() == LeaseStoreCheck.Verdict.WAIT) {
                return false; // wait for the answer, which is compared in full
            }
            if (check.verdict() == LeaseStoreCheck.Verdict.SAME) {
                if (!storeChecked) {
                    storeChecked = true;
                    cancel(identifyTimer);
                    if (leaseStore == null) {
                        Log.infof("Failover %s: state kept with lease database %s", config.name(), named.leaseStore());
                    }
                    leaseStore = named.leaseStore();
                    storeSequence = Math.max(storeSequence, sequence);
                    publish();
                    releaseStartup();
                }
                return false;
            }
            metrics.count("tandem_failover_lease_store_lost_total");
            String why = check.why();
            if (state == FailoverState.STARTUP && !storeChecked) {
                Log.errorf(
                        "Failover %s: %s; its bindings are lost, so %s is not resumed: starting as a new server"
                                + " (RECOVER, every binding from the partner)",
                        config.name(), why, previous == null ? "no state" : previous.label());
                previous = null;
                lastOperation = null;
                storeChecked = true;
                cancel(identifyTimer);
                leaseStore = named.leaseStore();
                storeSequence = sequence;
                publish();
                releaseStartup();
                return false;
            }
            Log.errorf(
                    "Failover %s: %s; its bindings are lost: starting the relationship over as a new server"
                            + " (RECOVER, every binding from the partner)",
                    config.name(), why);
            return true;
        });
    }

    private void releaseStartup() {
        if (state != FailoverState.STARTUP) {
            return;
        }
        if (heldState != null) {
            FailoverMessage m = heldState;
            heldState = null;
            onState(m);
        } else if (heldTimeout) {
            heldTimeout = false;
            startupExpired();
        }
    }

    private void sendState() {
        if (link == null) {
            return;
        }
        boolean startup = state == FailoverState.STARTUP;
        FailoverState reported = startup ? (previous == null ? FailoverState.RECOVER : previous) : state;
        link.sendRequest(FailoverMessages.state(now(), reported, startup, since.getEpochSecond()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Binding updates

    /** A binding change of ours (or an end-of-resend marker) from the lease-service. */
    public void enqueue(BindingUpdate update) {
        run(() -> {
            if (update.isEndOfResend() && update.addressesMoved() != null) {
                Long xid = poolRequests.remove(update.resendDone());
                if (xid != null && link != null) {
                    link.send(FailoverMessages.poolResponse(now(), xid, update.addressesMoved()));
                    metrics.count("tandem_failover_pool_messages_total", "type", "poolresp-sent");
                    Log.infof(
                            "Failover %s: gave the partner %d free addresses (POOLRESP)",
                            config.name(), update.addressesMoved());
                }
                return;
            }
            if (update.isEndOfResend()) {
                if (update.resendDone().equals(connectionResend)) {
                    connectionResend = null;
                }
                if (update.resendDone().equals(recheck)) {
                    recheck = null;
                }
                owed.stream()
                        .filter(o -> o.requestId().equals(update.resendDone()) && o.barrier() < 0)
                        .findFirst()
                        .ifPresent(o -> {
                            owed.remove(o);
                            owed.addFirst(
                                    new UpdateDoneOwed(o.requestId(), o.xid(), ordinal.get(), o.connection(), o.all()));
                        });
                settleOwed();
                releaseHeld();
                return;
            }
            queueOurs(update);
        });
    }

    /** Our update of an address, to send within the partner's window unless stale or outside the relationship. */
    private void queueOurs(BindingUpdate update) {
        if (link == null) {
            return; // the lease table keeps it unacknowledged; resent on the next connection
        }
        Ipv4 address = Ipv4.parse(update.address());
        if (pools.stream().noneMatch(p -> p.inPool(address))) {
            // Not in the relationship's pools as this runner has them: a scope that has just joined here or
            // whose pool grew, in a lease-service ahead of this runner. The partner would refuse it for good, or
            // take it for its full update of a joining scope: it stays unacknowledged and is sent once the
            // runner has the configuration (reconfigured, or the next runner's connection).
            return;
        }
        Long applied = appliedAt.get(update.address());
        if (applied != null && update.sequence() < applied) {
            // published before the partner's update of the address was applied here, and come only now (a
            // consumer's lag): the row is the partner's binding, and this stale snapshot would undo it there
            metrics.count("tandem_failover_binding_updates_superseded_total");
            return;
        }
        highestSeen = Math.max(highestSeen, update.sequence());
        if (storeChecked) {
            storeSequence = Math.max(storeSequence, update.sequence());
        }
        queue.remove(update.address());
        queue.put(update.address(), new Queued(update, ordinal.incrementAndGet()));
        markCrossedHeld(update);
        pump();
    }

    /**
     * Every recheck interval: an update this runner saw before the previous recheck and holds neither queued nor in
     * flight has had a whole interval to be acknowledged. If the lease table still holds it unacknowledged, it was lost
     * on its way (an acknowledgement the lease-service could not record, a write to the bus that failed), so the
     * lease-service is asked to send those again, numbered up to below the lowest one still pending here. This works
     * under steady load too, where the queue is never empty. Nothing is asked while the connection's resend runs.
     */
    private void recheckUnacked() {
        long bound = recheckBound;
        recheckBound = highestSeen;
        if (link == null || connectionResend != null) {
            return;
        }
        if (recheck != null && clock.instant().isBefore(recheckSent.plus(RECHECK_PATIENCE))) {
            return; // the previous one has not ended yet: one at a time, so they never queue up
        }
        long lowestPending = Math.min(
                queue.values().stream()
                        .mapToLong(q -> q.update().sequence())
                        .min()
                        .orElse(Long.MAX_VALUE),
                inFlight.values().stream()
                        .mapToLong(q -> q.update().sequence())
                        .min()
                        .orElse(Long.MAX_VALUE));
        long upTo = Math.min(bound, lowestPending - 1);
        if (upTo > 0) {
            recheck = UUID.randomUUID().toString();
            recheckSent = clock.instant();
            command(FailoverCommand.RESEND_UNACKED, recheck, upTo);
        }
    }

    /**
     * An update of ours still unanswered {@code unanswered-after} after the partner answered one we sent later was lost
     * by the partner: the connection ends (DISCONNECT), so that the next one sends it again. Waiting would hold its slot
     * of the window for good, with any partner update that crossed it, and any UPDDONE we owe after it (a partner in
     * RECOVER would never finish). Once per update (address and number): a Tandem partner defers some on purpose (a
     * configuration revision its lease-service does not have yet) and would defer it again; then it is only logged
     * and counted. A partner that answers nothing at all is not ended here: its lease-service may be down, and its
     * data path hands over (a new connection would not help).
     */
    private void checkUnanswered() {
        unanswered.lost(clock.instant(), settings.unansweredAfter()).ifPresent(xid -> {
            BindingUpdate u = inFlight.get(xid).update();
            metrics.count("tandem_failover_binding_updates_unanswered_total");
            String why = "our update of " + u.address() + " (xid " + xid + ") unanswered for "
                    + settings.unansweredAfter().toSeconds() + " s after later ones were answered";
            if (!unanswered.firstEndFor(u.address() + "#" + u.sequence())) {
                Log.warnf("Failover %s: %s, again on a new connection; it waits", config.name(), why);
                return;
            }
            Log.warnf("Failover %s: %s; ending the connection, the next one sends it again", config.name(), why);
            link.send(FailoverMessages.disconnect(now(), RejectReason.UNKNOWN_REASON, why));
            link.close();
        });
    }

    /** Sends queued updates within the partner's window (§8.4), one binding per BNDUPD. */
    private void pump() {
        if (link == null) {
            return;
        }
        Iterator<Map.Entry<String, Queued>> it = queue.entrySet().iterator();
        while (inFlight.size() < partnerWindow && it.hasNext()) {
            Queued q = it.next().getValue();
            if (deciding.containsKey(q.update().address())) {
                continue; // after our BNDACK of the partner's update of the address
            }
            it.remove();
            long xid = link.sendRequest(
                    FailoverMessages.bindingUpdate(now(), q.update().toBinding()));
            inFlight.put(xid, q);
            unanswered.sent(xid, clock.instant());
            metrics.count("tandem_failover_binding_updates_sent_total");
        }
    }

    private void onBindingAck(FailoverMessage m) {
        Queued q = inFlight.remove(m.xid());
        if (q == null) {
            return; // an ack for an update of an earlier connection
        }
        unanswered.answered(m.xid());
        Optional<RejectReason> reject = FailoverMessages.rejectReason(m);
        BindingUpdate u = q.update();
        BindingAck ack = new BindingAck(
                BindingAck.VERSION,
                config.name(),
                u.address(),
                u.sequence(),
                reject.isPresent() ? 0 : u.potentialExpiration(),
                reject.map(Enum::name).orElse(null),
                m.text(FailoverOption.MESSAGE).orElse(null),
                0);
        bus.acknowledged(ack);
        answered(m.xid(), u, reject.isEmpty());
        if (reject.isPresent()) {
            metrics.count(
                    "tandem_failover_binding_updates_rejected_total",
                    "reason",
                    reject.get().tag());
        } else {
            metrics.count("tandem_failover_binding_updates_acked_total");
        }
        pump();
        settleOwed();
    }

    private void onBindingUpdate(PeerConnection connection, FailoverMessage m) {
        Optional<Binding> binding = FailoverMessages.binding(m);
        if (binding.isEmpty() || m.count(FailoverOption.ASSIGNED_IP_ADDRESS) != 1) {
            metrics.count("tandem_failover_partner_updates_refused_total", "reason", "missing-binding-information");
            Binding placeholder = new Binding(
                    m.address(FailoverOption.ASSIGNED_IP_ADDRESS).orElse(dev.tandem.protocol.net.Ipv4.ANY),
                    dev.tandem.protocol.failover.BindingStatus.FREE,
                    null,
                    null,
                    0,
                    0,
                    0,
                    0,
                    0);
            connection.send(FailoverMessages.bindingAck(
                    now(),
                    m.xid(),
                    placeholder,
                    RejectReason.MISSING_BINDING_INFORMATION,
                    "binding update lacks required options"));
            return;
        }
        long receipt = ++received;
        applying.add(receipt);
        if (awaitingUpdateDone && requestedAll && !joining.isEmpty()) {
            Ipv4 address = binding.get().address();
            pools.stream()
                    .filter(p -> joining.contains(p.id()) && p.inPool(address))
                    .forEach(p -> covered.add(p.id()));
        }
        Held h = new Held(connection, m.xid(), binding.get(), receipt);
        if (resending()) {
            // our update of the address already in flight crosses it as much as one our resend queues later
            if (iscPartner()) {
                awaitInFlight(h);
            } else {
                h.crossedBy = crossedUpdate(binding.get()).orElse(null);
            }
            held.add(h);
            return;
        }
        decide(h);
    }

    /**
     * Decides the partner's update: applied, or refused where it crossed ours and ours stands. Between Tandem servers
     * both sides apply one rule ({@link CrossingRule#oursStands}). ISC dhcpd decides a crossing by rules of its own (which update is
     * better, then whether its state may change that way), so with ISC this server follows its answers: the partner's
     * update that crossed ours in flight waits for ISC's answer to each of them; any of ours taken, theirs is refused
     * (ISC has dropped it), all refused, theirs is applied. ISC's ACTIVE crossing ours that is not ACTIVE is applied at
     * once (the acceptance matrix decides; waiting, a lost connection would lose it), and goes back to ISC as ours if
     * ISC took ours over it: ISC would hold the address free, maybe for another client, while its client still uses it
     * ({@link #finishSendBack}). Ours only queued here has crossed nothing: ISC never saw it, and it is dropped once
     * theirs is applied ({@link #dropSuperseded}).
     */
    private void decide(Held h) {
        // from now on ours of the address waits for our answer (not while held: ours resent meanwhile crosses it)
        if (decidingReceipts.putIfAbsent(h.receipt, h.binding.address().toString()) == null) {
            deciding.merge(h.binding.address().toString(), 1, Integer::sum);
        }
        if (!iscPartner()) {
            decidePartnerUpdate(
                    h.connection,
                    h.xid,
                    h.binding,
                    h.receipt,
                    Optional.ofNullable(h.crossedBy).or(() -> crossedUpdate(h.binding)));
            return;
        }
        awaitInFlight(h);
        boolean atOnce = h.binding.status() == BindingStatus.ACTIVE && h.crossedBy != null && !h.oursActive;
        for (Long xid : h.awaited) {
            awaitingAnswer
                    .computeIfAbsent(xid, x -> new java.util.ArrayList<>())
                    .add(h);
        }
        if (atOnce) {
            h.appliedAtOnce = true;
            applyPartnerUpdate(h.connection, h.xid, h.binding, h.receipt, ordinal.get(), 0, h);
            return;
        }
        if (!h.awaited.isEmpty()) {
            return;
        }
        if (h.crossedBy == null) {
            // ours only queued (the window full): ISC will see it after our answer to theirs, outside its own update's
            // wait, and take it if it may; the primary's stands as ISC's rule has it, else a new ISC secondary's full
            // update (all FREE) would undo our split before ours got there, and ISC would have no address of its own
            Queued queued = queue.get(h.binding.address().toString());
            if (queued != null
                    && CrossingRule.iscTakesOurs(
                            config.primary(),
                            h.binding.status(),
                            queued.update().status())) {
                decidePartnerUpdate(h.connection, h.xid, h.binding, h.receipt, Optional.of(queued.update()));
                return;
            }
        }
        decidePartnerUpdate(
                h.connection, h.xid, h.binding, h.receipt, h.oursTaken ? Optional.of(h.crossedBy) : Optional.empty());
    }

    /** With ISC: the partner's update crossed each of our updates of its address now in flight, and awaits them. */
    private void awaitInFlight(Held h) {
        String address = h.binding.address().toString();
        inFlight.forEach((xid, q) -> {
            if (q.update().address().equals(address)) {
                h.crossed(xid, q.update());
            }
        });
    }

    /**
     * With ISC: ISC's ACTIVE, applied at once, goes back to ISC as ours once its answers show it took any of ours that
     * it crossed (the row stays unacknowledged in the lease table meanwhile, so a lost connection resends it); taken by
     * none, ISC kept its binding, and the row is recorded as acknowledged. One of ours numbered later supersedes it.
     */
    private void finishSendBack(Held h) {
        long sequence = h.appliedSequence;
        h.appliedSequence = 0;
        String address = h.binding.address().toString();
        boolean newer = java.util.stream.Stream.concat(queue.values().stream(), inFlight.values().stream())
                .anyMatch(
                        q -> q.update().address().equals(address) && q.update().sequence() > sequence);
        if (!h.oursTaken) {
            bus.acknowledged(new BindingAck(
                    BindingAck.VERSION,
                    config.name(),
                    address,
                    sequence,
                    h.binding.potentialExpiration(),
                    null,
                    null,
                    0));
        } else if (!newer) {
            metrics.count("tandem_failover_partner_updates_sent_back_total");
            queueOurs(BindingUpdate.of(config.name(), h.binding, sequence));
        }
    }

    /**
     * With ISC: its answer to our update {@code xid} counts for the partner's updates of the address that crossed it:
     * those waiting for it, decided once every answer they wait for is in, and those held during our resend (each of
     * ours sent while theirs is held, unacknowledged, crosses it at ISC too).
     */
    private void answered(long xid, BindingUpdate ours, boolean taken) {
        if (!iscPartner()) {
            return;
        }
        for (Held h : held) {
            if (h.binding.address().toString().equals(ours.address())) {
                h.crossed(xid, ours);
                h.answer(xid, taken);
            }
        }
        List<Held> waiting = awaitingAnswer.remove(xid);
        if (waiting != null) {
            for (Held h : waiting) {
                h.answer(xid, taken);
                if (!h.awaited.isEmpty() || h.connection.closed()) {
                    continue;
                }
                if (!h.appliedAtOnce) {
                    decide(h);
                } else if (h.appliedSequence > 0) {
                    finishSendBack(h);
                } // else its apply, still under way, finishes it
            }
        }
    }

    /**
     * Whether a resend the partner asked for (UPDREQ, UPDREQALL) is still on its way from the lease-service. The
     * partner's updates wait for it: until our resent bindings are queued here, one of the partner's that crosses ours
     * could not be told from one that follows it (a new pair's two full updates cross at once).
     */
    private boolean resending() {
        return owed.stream().anyMatch(o -> o.barrier() < 0);
    }

    /** The partner's updates held during a resend of ours, in order, once no resend of ours is on its way. */
    private void releaseHeld() {
        if (resending() || held.isEmpty()) {
            return;
        }
        List<Held> waiting = new java.util.ArrayList<>(held);
        held.clear();
        for (Held h : waiting) {
            if (!h.connection.closed()) {
                decide(h);
            }
        }
    }

    /** Our resent update, just queued, crosses the partner's held updates of its address that it contradicts. */
    private void markCrossedHeld(BindingUpdate ours) {
        if (iscPartner()) {
            return; // decided by ISC's answer to ours, once sent (decide)
        }
        for (Held h : held) {
            if (h.binding.address().toString().equals(ours.address())
                    && CrossingRule.oursStands(config.primary(), h.binding.status(), ours.status())) {
                h.crossedBy = ours;
            }
        }
    }

    /** The partner's update {@code receipt} is decided here (applied or refused): an UPDDONE may count. */
    private void applied(long receipt) {
        applying.remove(receipt);
        String address = decidingReceipts.remove(receipt);
        if (address != null && deciding.merge(address, -1, Integer::sum) <= 0) {
            deciding.remove(address);
            pump();
        }
        settleUpdateDone();
    }

    private void decidePartnerUpdate(
            PeerConnection connection, long xid, Binding binding, long receipt, Optional<BindingUpdate> ours) {
        if (ours.isPresent()) {
            metrics.count("tandem_failover_partner_updates_refused_total", "reason", "crossed-pool-update");
            if (!crossingLogged) {
                crossingLogged = true;
                Log.infof(
                        "Failover %s: the partner's %s of %s crossed our own %s of it; ours stands (further ones on"
                                + " this connection are counted in tandem_failover_partner_updates_refused_total)",
                        config.name(),
                        binding.status(),
                        binding.address(),
                        ours.get().status());
            }
            connection.send(FailoverMessages.bindingAck(
                    now(),
                    xid,
                    binding,
                    RejectReason.OUTDATED_BINDING_INFORMATION,
                    "crossed this server's own update of the address"));
            applied(receipt);
            return;
        }
        applyPartnerUpdate(connection, xid, binding, receipt, ordinal.get(), 0, null);
    }

    /**
     * Between Tandem servers: our own unacknowledged update of the same address that the partner's update crossed,
     * when ours is to stand. The common case: both say who owns a free address (FREE the primary, BACKUP the secondary)
     * and disagree, and each was sent before its sender saw the other: with each side taking the other's, the two would
     * swap views and both hold the address as their own (a new pair's full updates cross like this). The partner
     * acknowledges ours, so refusing theirs leaves one view on both sides: the primary refuses, the secondary takes the
     * primary's, as ISC dhcpd's rule for updates that are not ACTIVE has it (failover_lease_is_better). ISC's own
     * crossings are decided by its answer ({@link #decide}).
     */
    private Optional<BindingUpdate> crossedUpdate(Binding theirs) {
        String address = theirs.address().toString();
        Queued latest = queue.get(address);
        for (Queued q : inFlight.values()) {
            if (q.update().address().equals(address) && (latest == null || q.ordinal() > latest.ordinal())) {
                latest = q;
            }
        }
        return Optional.ofNullable(latest)
                .map(Queued::update)
                .filter(u -> CrossingRule.oursStands(config.primary(), theirs.status(), u.status()));
    }

    /**
     * Our update of an address still queued here (not sent) from before the partner's update of it was applied (queued
     * before, or numbered below the row's number after it): the lease table's row is the partner's binding now (and
     * counts as acknowledged), so ours is a stale snapshot. Sent after, it would undo the partner's binding there (the
     * short chaos run: a BACKUP queued behind a full resend reached the partner after it had freed the address, and the
     * two views swapped). One that comes later still is dropped on arrival ({@link #appliedAt}).
     */
    private void dropSuperseded(String address, long queuedBefore, long appliedSequence) {
        if (appliedSequence > 0) {
            Long earlier = appliedAt.remove(address); // put again: the newest entries stay
            appliedAt.put(address, earlier == null ? appliedSequence : Math.max(earlier, appliedSequence));
        }
        Queued ours = queue.get(address);
        if (ours != null && (ours.ordinal() <= queuedBefore || ours.update().sequence() < appliedSequence)) {
            queue.remove(address);
            metrics.count("tandem_failover_binding_updates_superseded_total");
            settleOwed();
        }
    }

    /**
     * Has the lease-service make the partner's update durable, then sends the BNDACK (§7.2). An update is never dropped
     * while its connection lasts: the partner holds it in its window of unacknowledged updates, and a dropped one would
     * stop its updates for good. A slow or failed attempt is tried again with a growing pause; a new connection ends
     * the attempts, since the partner sends everything unacknowledged again. With {@code sendBack}, the binding applied
     * goes back to the partner as ours, numbered as the row took it (see {@link #decide}).
     */
    private void applyPartnerUpdate(
            PeerConnection connection,
            long xid,
            Binding b,
            long receipt,
            long queuedBefore,
            int attempt,
            Held sendBack) {
        BindingUpdate theirs = BindingUpdate.of(config.name(), b, xid).withRevision(revision);
        // ISC keeps the later of two ACTIVE bindings of one address (it refuses ours when its own is later): so does
        // this server, even as the primary whose binding the acceptance matrix would keep; else each would keep its own
        theirs = iscPartner() ? theirs.withLaterActiveWins() : theirs;
        bus.applyPartnerUpdate(sendBack != null ? theirs.sentBack() : theirs)
                .ifNoItem()
                .after(settings.updateTimeout())
                .fail()
                .subscribe()
                .with(
                        ack -> run(() -> {
                            if (connection.closed()) {
                                return;
                            }
                            RejectReason reason =
                                    ack.rejectReason() == null ? null : RejectReason.valueOf(ack.rejectReason());
                            connection.send(FailoverMessages.bindingAck(now(), xid, b, reason, ack.message()));
                            progressAt = clock.instant();
                            if (reason == null) {
                                dropSuperseded(b.address().toString(), queuedBefore, ack.appliedSequence());
                                if (sendBack != null && ack.appliedSequence() > 0) {
                                    sendBack.appliedSequence = ack.appliedSequence();
                                    if (sendBack.awaited.isEmpty()) {
                                        finishSendBack(sendBack);
                                    }
                                }
                            }
                            applied(receipt);
                        }),
                        failure -> run(() -> {
                            if (connection.closed()) {
                                return;
                            }
                            metrics.count("tandem_failover_partner_update_retries_total");
                            if (attempt == 0) {
                                Log.warnf(
                                        "Failover %s: partner update of %s not applied yet (%s); trying again until it"
                                                + " is",
                                        config.name(), b.address(), failure.toString());
                            }
                            long pause = Math.min(10_000L, 250L << Math.min(attempt, 6));
                            vertx.setTimer(
                                    pause,
                                    id -> run(() -> {
                                        if (!connection.closed()) {
                                            applyPartnerUpdate(
                                                    connection, xid, b, receipt, queuedBefore, attempt + 1, sendBack);
                                        }
                                    }));
                        }));
    }

    /**
     * POOLREQ (§7.6), from either role as ISC sends it: in NORMAL the lease-service gives the partner this server's
     * surplus of free addresses, and POOLRESP says how many once the pass is done; in any other state nothing moves.
     */
    private void onPoolRequest(PeerConnection connection, FailoverMessage m) {
        if (state != FailoverState.NORMAL) {
            connection.send(FailoverMessages.poolResponse(now(), m.xid(), 0));
            return;
        }
        metrics.count("tandem_failover_pool_messages_total", "type", "poolreq-received");
        String requestId = UUID.randomUUID().toString();
        poolRequests.put(requestId, m.xid());
        Log.infof("Failover %s: the partner asks for free addresses (POOLREQ)", config.name());
        command(FailoverCommand.BALANCE, requestId);
    }

    private void onUpdateRequest(PeerConnection connection, FailoverMessage m, boolean all) {
        String requestId = UUID.randomUUID().toString();
        boolean sendAll = all || partnerMayLackBindings;
        owed.addLast(new UpdateDoneOwed(requestId, m.xid(), -1, connection, sendAll));
        Log.infof(
                "Failover %s: the partner asks for %s updates%s",
                config.name(),
                all ? "all" : "unacknowledged",
                sendAll && !all ? "; sending all: it reported RECOVER and may have lost its lease database" : "");
        askLeaseService(
                sendAll ? FailoverCommand.RESEND_ALL : FailoverCommand.RESEND_UNACKED,
                requestId,
                connection,
                () -> owed.stream().anyMatch(o -> o.requestId().equals(requestId) && o.barrier() < 0));
        if (all) {
            // A partner that asks for all may have just joined the scopes still joining here: ask it for its own.
            partnerAskedAll = true;
            if (!joining.isEmpty() && state == FailoverState.NORMAL && !awaitingUpdateDone) {
                askAgainForJoining();
            }
        }
    }

    /**
     * Asks the lease-service for a resend, again every 30 s while its end marker has not arrived ({@code waiting}) and
     * the link is the same: a resend that failed there (a database conflict, a restart) is not lost.
     */
    private void askLeaseService(
            String command, String requestId, PeerConnection connection, java.util.function.BooleanSupplier waiting) {
        command(command, requestId);
        vertx.setTimer(
                30_000,
                id -> run(() -> {
                    if (connection == link && waiting.getAsBoolean()) {
                        Log.warnf(
                                "Failover %s: the lease-service has not finished resend %s; asking again",
                                config.name(), requestId);
                        askLeaseService(command, requestId, connection, waiting);
                    }
                }));
    }

    /** Sends UPDDONE for every request whose updates have all been acknowledged (§7.5). */
    private void settleOwed() {
        while (!owed.isEmpty()) {
            UpdateDoneOwed o = owed.peekFirst();
            if (o.barrier() < 0 || o.connection() != link) {
                if (o.connection() != link) {
                    owed.pollFirst();
                    continue;
                }
                return;
            }
            boolean pending = queue.values().stream().anyMatch(q -> q.ordinal() <= o.barrier())
                    || inFlight.values().stream().anyMatch(q -> q.ordinal() <= o.barrier());
            if (pending) {
                return;
            }
            owed.pollFirst();
            if (o.all()) {
                partnerMayLackBindings = false;
            }
            link.send(FailoverMessages.empty(MessageType.UPDDONE, now(), o.xid()));
        }
    }

    /**
     * Asks the partner for its updates (all of them, or those we have not acknowledged), unless a request is under way.
     * One for the unacknowledged ones under way when all are needed (RECOVER entered meanwhile) gives way to a request
     * for all: the UPDDONE of the first does not count (xid).
     */
    private void requestUpdates(boolean all) {
        if (link == null || (awaitingUpdateDone && (requestedAll || !all))) {
            return;
        }
        awaitingUpdateDone = true;
        requestedAll = all;
        updateDoneBarrier = -1;
        if (all) {
            covered.clear();
            partnerAskedAll = false;
        }
        requestXid =
                link.sendRequest(FailoverMessages.empty(all ? MessageType.UPDREQALL : MessageType.UPDREQ, now(), 0));
        Log.infof("Failover %s: asked the partner for %s updates", config.name(), all ? "all" : "unacknowledged");
    }

    private void onUpdateDone(long xid) {
        if (!awaitingUpdateDone || updateDoneBarrier >= 0) {
            return;
        }
        if (xid != requestXid) {
            Log.infof(
                    "Failover %s: the partner's UPDDONE %d answers an earlier request, not our latest (%d)",
                    config.name(), xid, requestXid);
            return;
        }
        updateDoneBarrier = received;
        if (!applying.isEmpty()) {
            Log.infof(
                    "Failover %s: the partner has sent all updates; %d are still being applied here",
                    config.name(), applying.size());
        }
        settleUpdateDone();
    }

    /** Acts on the partner's UPDDONE once every update received before it is applied here. */
    private void settleUpdateDone() {
        if (updateDoneBarrier < 0 || (!applying.isEmpty() && applying.first() <= updateDoneBarrier)) {
            return;
        }
        updateDoneBarrier = -1;
        awaitingUpdateDone = false;
        boolean askedAll = requestedAll;
        if (askedAll && !joining.isEmpty()) {
            settleJoining();
        }
        FailoverStateMachine.onUpdateDone(
                        state,
                        config.primary(),
                        partnerState,
                        recoverSince == null ? since : recoverSince,
                        mclt,
                        clock.instant())
                .ifPresent(next -> transition(next, "partner sent all updates"));
        if (!askedAll && !joining.isEmpty()) {
            onCommunicationsOk(); // an UPDREQ was under way when the scopes joined: now ask for all
        }
    }

    /**
     * After the partner's full update: a joining scope of which it brought a binding (or that has no address to give,
     * only reservations) has joined; one of which it brought none is not in the partner's relationship yet, so it keeps
     * waiting, and the partner is asked again when it asks for ours (it joined it), or after a pause of 30 s to 5 min.
     */
    private void settleJoining() {
        List<String> joined = joining.stream()
                .filter(id -> covered.contains(id) || pools.stream().noneMatch(p -> p.id().equals(id) && dynamic(p)))
                .toList();
        if (!joined.isEmpty()) {
            Log.infof(
                    "Failover %s: the partner's bindings of joining scope(s) %s are here; they are served from now on",
                    config.name(), joined);
            joined.forEach(joining::remove);
            publish();
        }
        if (joining.isEmpty()) {
            return;
        }
        if (!uncoveredLogged) {
            uncoveredLogged = true;
            Log.warnf(
                    "Failover %s: the partner's full update has no binding of joining scope(s) %s: it does not have"
                            + " them in the relationship yet (its configuration lags or lacks them). Nobody new gets"
                            + " an address in them here until it does; asking it again when it asks for ours, and"
                            + " after a pause growing from 30 s to 5 min",
                    config.name(), joining);
        }
        if (partnerAskedAll) {
            askAgainForJoining();
        } else {
            retryJoiningLater(joinRetry);
            joinRetry = joinRetry.multipliedBy(2).compareTo(JOIN_RETRY_MAX) > 0
                    ? JOIN_RETRY_MAX
                    : joinRetry.multipliedBy(2);
        }
    }

    /**
     * Asks the partner for all its bindings again at once for the joining scopes (it has asked for ours: it may have
     * just joined them), unless that was done less than 30 s ago: two servers each joining a scope the other lacks
     * would otherwise ask each other back and forth without a pause. Then the timer asks.
     */
    private void askAgainForJoining() {
        Instant now = clock.instant();
        if (now.isBefore(joinAskedAgainAt.plus(JOIN_RETRY_FIRST))) {
            retryJoiningLater(JOIN_RETRY_FIRST);
            return;
        }
        joinAskedAgainAt = now;
        requestUpdates(true);
    }

    private void retryJoiningLater(Duration pause) {
        if (joinRetryTimer >= 0) {
            return;
        }
        joinRetryTimer = vertx.setTimer(
                pause.toMillis(),
                id -> run(() -> {
                    joinRetryTimer = -1;
                    onCommunicationsOk();
                }));
    }

    /** Whether a scope has addresses to give, not only reserved ones. */
    private static boolean dynamic(ScopeConfig scope) {
        return scope.poolSize()
                > scope.reservations().stream()
                        .filter(r -> scope.inPool(r.address()))
                        .count();
    }

    private void command(String command) {
        command(command, UUID.randomUUID().toString());
    }

    private void command(String command, String requestId) {
        command(command, requestId, null);
    }

    private void command(String command, String requestId, Long upTo) {
        bus.command(new FailoverCommand(
                FailoverCommand.VERSION,
                config.name(),
                command,
                requestId,
                // a joining scope is not balanced: the partner may not have it yet, and would not take what it is given
                FailoverCommand.BALANCE.equals(command)
                        ? config.scopes().stream()
                                .filter(scope -> !joining.contains(scope))
                                .toList()
                        : config.scopes(),
                revision,
                FailoverCommand.BALANCE.equals(command) && iscPartner() ? ISC_SECONDARY_PERCENT : null,
                upTo));
    }

    private boolean iscPartner() {
        return partnerVendor.startsWith("isc-");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Timers

    private void restartReceiveTimer() {
        cancel(receiveTimer);
        receiveTimer = vertx.setTimer(
                config.maxResponseDelay().toMillis(),
                id -> run(() -> {
                    if (link != null) {
                        Log.warnf(
                                "Failover %s: nothing from the partner for %s s; dropping the connection",
                                config.name(), config.maxResponseDelay().toSeconds());
                        link.send(FailoverMessages.disconnect(
                                now(),
                                RejectReason.NO_TRAFFIC,
                                "no traffic within " + config.maxResponseDelay().toSeconds() + " s"));
                        link.close();
                    }
                }));
    }

    private void scheduleContact() {
        cancel(contactTimer);
        // ISC sends CONTACT every partner-receive-timer / 3 s; so do we (tSend, §7.9.1).
        long every = Math.max(1000, partnerReceiveTimer * 1000 / 3);
        contactTimer = vertx.setPeriodic(
                every,
                id -> run(() -> {
                    if (link != null) {
                        link.sendRequest(FailoverMessages.empty(MessageType.CONTACT, now(), 0));
                    }
                }));
    }

    private void cancel(long timer) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Operator commands

    /** "Partner down" (§9.5.2); the answer says what happened. */
    public CompletableFuture<String> partnerDown() {
        return onContext(() -> FailoverStateMachine.onPartnerDownCommand(state)
                .map(next -> {
                    transition(next, "operator command");
                    return "PARTNER-DOWN";
                })
                .orElseThrow(() -> new IllegalStateException("partner-down is not allowed in " + state.label()
                        + " (only NORMAL, COMMUNICATIONS-INTERRUPTED," + " RESOLUTION-INTERRUPTED)")));
    }

    /** Planned maintenance: once our updates are acknowledged, SHUTDOWN; the partner takes over (PARTNER-DOWN). */
    public CompletableFuture<String> maintenanceStart() {
        return onContext(() -> FailoverStateMachine.onMaintenanceStart(state)
                .map(next -> {
                    transition(next, "maintenance: handing over to the partner");
                    // Until the partner is PARTNER-DOWN this server keeps serving, then it finishes what is in flight.
                    drainUntil = clock.instant().plus(settings.maintenanceDrain());
                    publish();
                    vertx.setTimer(settings.maintenanceDrain().toMillis() + 100, id -> run(this::publish));
                    return next.label();
                })
                .orElseThrow(() ->
                        new IllegalStateException("maintenance can start only in NORMAL, not in " + state.label())));
    }

    public CompletableFuture<String> maintenanceEnd() {
        return onContext(() -> FailoverStateMachine.onMaintenanceEnd(state)
                .map(next -> {
                    transition(next, "maintenance over: recovering from the partner");
                    return next.label();
                })
                .orElseThrow(() -> new IllegalStateException("not in maintenance (state " + state.label() + ")")));
    }

    private <T> CompletableFuture<T> onContext(java.util.function.Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        run(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** The status as published, read on the relationship's context. */
    public CompletableFuture<FailoverStatus> status() {
        return onContext(this::snapshot);
    }

    /**
     * The coordinator's report of a relationship: its published status, the updates not yet acknowledged by the
     * partner, the partner's clock skew, why this server cannot serve (null: it can), and what a state that serves
     * nobody waits for (null: none, see {@link WaitingFor}).
     */
    public record Report(
            @JsonUnwrapped FailoverStatus status,
            long pendingUpdates,
            long clockSkewSeconds,
            String cannotServe,
            String waitingFor) {}

    public CompletableFuture<Report> report() {
        return onContext(() -> new Report(
                snapshot(),
                (long) queue.size() + inFlight.size(),
                metrics.skew(),
                dataPathUp ? null : dataPathWhy,
                waitingFor().map(WaitingFor::description).orElse(null)));
    }

    private void publish() {
        Instant now = clock.instant();
        Duration away = lastPublished == null ? Duration.ZERO : Duration.between(lastPublished, now);
        lastPublished = now;
        if (away.compareTo(AWAY) >= 0
                && FailoverStateMachine.onDataPathLost(state, partnerState).isPresent()) {
            // Stopped (SIGSTOP, a long pause) for longer than the lease-services act on a state: they stopped
            // allocating, and the partner may have taken over meanwhile. Resuming with the state of before would let
            // them allocate again before anyone knows: pause instead (which publishes), and resume as from a pause
            // that began when this coordinator stopped.
            stoppedAt = now.minus(away);
            transition(
                    FailoverState.PAUSED,
                    "this coordinator was stopped for " + away.toSeconds() + " s: the partner may have taken over");
            return;
        }
        if (state != FailoverState.STARTUP) {
            // STARTUP is not operation: its publishes must not hide when this server last operated (§9.3.2), which
            // decides between RECOVER and POTENTIAL-CONFLICT when the partner is found in PARTNER-DOWN
            lastOperation = clock.instant();
        }
        bus.publish(snapshot());
    }

    private FailoverStatus snapshot() {
        return new FailoverStatus(
                FailoverStatus.VERSION,
                server,
                config.name(),
                config.primary() ? "primary" : "secondary",
                config.mode() == RelationshipConfig.Mode.HOT_STANDBY ? "hot-standby" : "load-balance",
                state.label(),
                since,
                partnerState.label(),
                partnerSince,
                communicating,
                mclt.toSeconds(),
                buckets.hex(),
                config.loadBalanceMaxSeconds(),
                config.scopes(),
                everCommunicated,
                clock.instant(),
                drainUntil,
                leaseStore,
                storeSequence,
                joining.isEmpty() ? null : List.copyOf(joining));
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }
}

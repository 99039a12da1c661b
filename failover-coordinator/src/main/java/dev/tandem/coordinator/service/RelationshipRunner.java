package dev.tandem.coordinator.service;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.coordinator.domain.FailoverStateMachine;
import dev.tandem.coordinator.domain.WaitingFor;
import dev.tandem.coordinator.peer.PeerConnection;
import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.FailoverOption;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.failover.MessageType;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One failover relationship on this server: the state machine's driver (draft §9: states, their entry actions, the
 * partner's state, the data path, operator commands, the published status) and the wiring of its parts, each owning
 * its own state: the {@link PartnerLink} (connection, handshake, timers), our {@link OutboundUpdates}, the partner's
 * {@link InboundUpdates}, {@link UpdateRequests} both ways, {@link JoiningScopes}, the {@link LeaseStoreIdentity}. All
 * run on one {@link Actor}, so no field needs a lock; other threads enter through {@link #run}.
 */
public final class RelationshipRunner {

    /** Where the runner's decisions go: Kafka in the service, anything in a test. */
    public interface Bus {
        void publish(FailoverStatus status);

        void acknowledged(BindingAck ack);

        void command(FailoverCommand command);

        Uni<BindingAck> applyPartnerUpdate(BindingUpdate update);
    }

    /**
     * A gap in publishing this long pauses the relationship: as long as the lease-services' max-failover-state-age
     * (5 s), after which they stopped allocating and the partner may have begun to take over.
     */
    static final Duration AWAY = Duration.ofSeconds(5);

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
    private final Actor actor;
    private final Metrics metrics;
    private final PartnerLink link;
    private final LeaseServiceCommands commands;
    private final LeaseStoreIdentity store;
    private final UpdateFlows flows;
    private final OutboundUpdates ours;
    private final InboundUpdates theirs;
    private final UpdateRequests requests;
    private final JoiningScopes joining;

    // State (draft §9.1: persisted with its start time through the published status).
    private FailoverState state = FailoverState.STARTUP;
    private Instant since;
    private FailoverState previous;
    private Instant lastOperation;
    private FailoverState partnerState = FailoverState.UNKNOWN;
    private Instant partnerSince;
    /** Communicating (§8.3): the link is up and the partner has reported its state on it. */
    private boolean communicating;

    private boolean everCommunicated;
    private Instant recoverSince;
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
    /** A resumed state leaves STARTUP only once the database is checked: the partner's STATE or the timeout, held. */
    private FailoverMessage heldState;

    private boolean heldTimeout;
    /**
     * The last sign that a wait is moving (a state change, the partner's state, update or UPDDONE): a wait in a state
     * that serves nobody (see {@link WaitingFor}) without one for {@code stall-after} is a stall.
     */
    private Instant progressAt;
    /** The stall reported in the current state (logged and counted once per state and what it waits for). */
    private WaitingFor stalled;

    /** The partner's POOLREQs on the current connection waiting for the lease-service's balance pass: id → xid. */
    private final Map<String, Long> poolRequests = new HashMap<>();

    private long startupTimer = -1;
    private long safePeriodTimer = -1;
    private long recoverWaitTimer = -1;

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
        this.actor = new Actor(vertx);
        this.since = clock.instant();
        this.progressAt = since;
        Duration mclt = config.mclt();
        List<String> joiningScopes = List.of();
        if (restored.isPresent()) {
            FailoverStatus s = restored.get();
            previous = s.localState() == FailoverState.STARTUP ? null : s.localState();
            lastOperation = s.updatedAt();
            if (previous != null && s.scopes() != null) {
                joiningScopes = config.scopes().stream()
                        .filter(scope -> !s.scopes().contains(scope) || s.joining(scope))
                        .toList();
            }
            everCommunicated = s.everCommunicated();
            if (!config.primary() && s.mclt() > 0) {
                mclt = Duration.ofSeconds(s.mclt());
            }
        }
        this.metrics = new Metrics(registry, config.name(), () -> state, () -> since, this::pendingUpdates);
        this.link = new PartnerLink(config, settings, mclt, actor, clock, metrics, vertx);
        this.joining = new JoiningScopes(
                config.name(),
                joiningScopes,
                actor,
                clock,
                () -> this.pools,
                this::askForAll,
                this::onCommunicationsOk);
        this.commands =
                new LeaseServiceCommands(config, bus, actor, () -> this.revision, joining::scopes, link::iscPartner);
        this.store = new LeaseStoreIdentity(
                config.name(),
                restored.map(FailoverStatus::leaseStore).orElse(null),
                restored.map(FailoverStatus::storeSequence).orElse(0L),
                actor,
                commands);
        this.flows = new UpdateFlows(
                config,
                settings,
                link,
                bus,
                commands,
                actor,
                metrics,
                clock,
                () -> this.pools,
                new UpdateFlows.Hooks() {
                    @Override
                    public void arrived(Ipv4 address, boolean fullUpdateAsked) {
                        if (fullUpdateAsked) {
                            joining.arrived(address);
                        }
                    }

                    @Override
                    public void queued(long sequence) {
                        store.seen(sequence);
                    }

                    @Override
                    public void progress() {
                        progressAt = clock.instant();
                    }

                    @Override
                    public long revision() {
                        return RelationshipRunner.this.revision;
                    }

                    @Override
                    public void askingAll() {
                        joining.askingAll();
                    }

                    @Override
                    public void partnerDone(boolean askedAll) {
                        partnerUpdatesDone(askedAll);
                    }
                });
        this.ours = flows.ours;
        this.theirs = flows.theirs;
        this.requests = flows.requests;
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
     * updates of addresses new to them were held back ({@link OutboundUpdates#queue}): the lease-service sends them
     * again.
     */
    public void reconfigured(long revision, List<ScopeConfig> pools) {
        run(() -> {
            boolean changed = !this.pools.equals(pools);
            this.revision = Math.max(this.revision, revision);
            this.pools = List.copyOf(pools);
            if (changed && link.connection() != null && !ours.resendingForLink()) {
                commands.send(FailoverCommand.RESEND_UNACKED);
            }
        });
    }

    /** Runs work on this relationship's context. */
    public void run(Runnable work) {
        actor.run(work);
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
                            + (joining.isEmpty() ? "" : "; scope(s) " + joining.scopes() + " joining"),
                    config.localAddress(),
                    config.port(),
                    config.peerAddress(),
                    config.peerPort(),
                    (config.sharedSecret() == null ? "" : ", messages authenticated")
                            + (config.tls() ? ", over TLS" : ""));
            publish();
            link.start(new PartnerLink.Events() {
                @Override
                public void established(PeerConnection connection) {
                    onEstablished(connection);
                }

                @Override
                public void lost() {
                    onLost();
                }

                @Override
                public void message(PeerConnection connection, MessageType type, FailoverMessage message) {
                    onMessage(connection, type, message);
                }
            });
            store.identify(() -> holdingStartup() ? "resuming " + previous.label() : null);
            startupTimer = actor.after(settings.startupTime(), this::startupExpired);
            // Republished every second: a lease-service does not act on a state older than its max-failover-state-age
            // (5 s), so this server stops allocating soon after its coordinator is gone (fate-sharing the other way).
            actor.every(Duration.ofSeconds(1), this::publish);
            if (!settings.unackedRecheckInterval().isZero()) {
                actor.every(settings.unackedRecheckInterval(), ours::recheckUnacked);
            }
            if (!settings.stallAfter().isZero()) {
                actor.every(checkEvery(settings.stallAfter()), this::checkStall);
            }
            if (!settings.unansweredAfter().isZero()) {
                actor.every(checkEvery(settings.unansweredAfter()), ours::checkUnanswered);
            }
            if (!settings.poolBalanceInterval().isZero()) {
                actor.every(settings.poolBalanceInterval(), () -> {
                    if (state == FailoverState.NORMAL && link.connection() != null) {
                        commands.send(FailoverCommand.BALANCE);
                    }
                });
            }
        });
    }

    /** How often a condition that holds after {@code after} is checked: a quarter of it, from 0.1 s to 5 s. */
    private static Duration checkEvery(Duration after) {
        return Duration.ofMillis(Math.max(100, Math.min(5_000, after.toMillis() / 4)));
    }

    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        actor.stop(() -> {
            metrics.close();
            link.stop().onComplete(x -> done.complete(null));
        });
        return done;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The link's events

    private void onEstablished(PeerConnection connection) {
        everCommunicated = true;
        progressAt = clock.instant();
        sendState();
        ours.linkUp(connection);
    }

    private void onLost() {
        communicating = false;
        flows.linkLost();
        poolRequests.clear();
        metrics.count("tandem_failover_connection_lost_total");
        Log.warnf("Failover %s: connection to the partner lost", config.name());
        FailoverStateMachine.onCommunicationsFailed(state).ifPresent(next -> transition(next, "communications failed"));
        publish();
    }

    private void onMessage(PeerConnection connection, MessageType type, FailoverMessage message) {
        if (type == MessageType.STATE || type == MessageType.BNDUPD || type == MessageType.UPDDONE) {
            progressAt = clock.instant();
        }
        switch (type) {
            case STATE -> onState(message);
            case BNDUPD -> flows.onBindingUpdate(connection, message);
            case BNDACK -> flows.onBindingAck(message);
            case UPDREQ, UPDREQALL -> {
                boolean all = type == MessageType.UPDREQALL;
                requests.onUpdateRequest(connection, message, all);
                if (all) {
                    // A partner that asks for all may have just joined the scopes still joining here: ask it for its
                    // own.
                    joining.partnerAskedAll(state == FailoverState.NORMAL && !requests.awaiting());
                }
            }
            case UPDDONE -> requests.onUpdateDone(message.xid());
            case POOLREQ -> onPoolRequest(connection, message);
            case POOLRESP -> {
                metrics.count("tandem_failover_pool_messages_total", "type", "poolresp-received");
                Log.infof(
                        "Failover %s: the partner gives us %d free addresses (POOLRESP)",
                        config.name(),
                        message.u32(FailoverOption.ADDRESSES_TRANSFERRED).orElse(0L));
            }
            default -> {
                // CONTACT: receipt already reset the receive timer.
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // State

    private void onState(FailoverMessage m) {
        FailoverState reported =
                m.u8(FailoverOption.SERVER_STATE).flatMap(FailoverState::of).orElse(FailoverState.UNKNOWN);
        // before a held startup returns: ISC reports RECOVER on connecting, then its next state at once (our NORMAL
        // moves it to POTENTIAL-CONFLICT) and its UPDREQ, which are answered while our startup is held
        requests.partnerReported(reported);
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
            startupTimer = actor.cancel(startupTimer);
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
                    requests.request(false);
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
            requests.request(true);
        } else if (state == FailoverState.POTENTIAL_CONFLICT && config.primary()) {
            requests.request(false);
        } else if (state == FailoverState.POTENTIAL_CONFLICT && partnerState == FailoverState.CONFLICT_DONE) {
            // The secondary entering POTENTIAL-CONFLICT (again) after the primary is done asks at once (§9.9): the
            // primary reports nothing new until this server is NORMAL.
            requests.request(false);
        } else if (!joining.isEmpty() && state == FailoverState.NORMAL) {
            // The partner's bindings of the joining scopes; only in NORMAL, where its UPDDONE changes no state (in
            // POTENTIAL-CONFLICT it would end the resolution early); other states get here on their way to NORMAL.
            requests.request(true);
        }
    }

    private void askForAll() {
        requests.request(true);
    }

    /** The partner's UPDDONE for our request counts (every update before it applied here). */
    private void partnerUpdatesDone(boolean askedAll) {
        if (askedAll && !joining.isEmpty() && joining.settle()) {
            publish();
        }
        FailoverStateMachine.onUpdateDone(
                        state,
                        config.primary(),
                        partnerState,
                        recoverSince == null ? since : recoverSince,
                        link.mclt(),
                        clock.instant())
                .ifPresent(next -> transition(next, "partner sent all updates"));
        if (!askedAll && !joining.isEmpty()) {
            onCommunicationsOk(); // an UPDREQ was under way when the scopes joined: now ask for all
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
                link.connection() != null,
                communicating,
                partnerState,
                requests.awaiting(),
                requests.doneArrived());
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
        if (askAgain && !theirs.idle()) {
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
            requests.askAgain(state == FailoverState.RECOVER);
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
        safePeriodTimer = actor.cancel(safePeriodTimer);
        recoverWaitTimer = actor.cancel(recoverWaitTimer);
        drainUntil = null;
        switch (next) {
            case COMMUNICATIONS_INTERRUPTED -> {
                if (!config.safePeriod().isZero()) {
                    // §10: the safe period, after which the partner is taken to be down.
                    safePeriodTimer = actor.after(config.safePeriod(), () -> FailoverStateMachine.onSafePeriodExpired(
                                    state)
                            .ifPresent(s -> transition(
                                    s, "safe period of " + config.safePeriod().toSeconds() + " s ended")));
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
                Instant until = (recoverSince == null ? now : recoverSince).plus(link.mclt());
                recoverWaitTimer =
                        actor.after(Duration.between(now, until), () -> FailoverStateMachine.onRecoverWaitExpired(state)
                                .ifPresent(s -> transition(s, "MCLT after recovery began has passed")));
            }
            default -> {}
        }
        publish();
        PeerConnection connection = link.connection();
        if (connection != null) {
            sendState();
            onCommunicationsOk();
            if (next == FailoverState.NORMAL) {
                // Pool balancing (§5.4): this server gives away its own surplus of free addresses, and the secondary
                // asks the primary to do the same (§7.6).
                commands.send(FailoverCommand.BALANCE);
                if (!config.primary()) {
                    connection.sendRequest(FailoverMessages.empty(MessageType.POOLREQ, now(), 0));
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

    private void sendState() {
        PeerConnection connection = link.connection();
        if (connection == null) {
            return;
        }
        boolean startup = state == FailoverState.STARTUP;
        FailoverState reported = startup ? (previous == null ? FailoverState.RECOVER : previous) : state;
        connection.sendRequest(FailoverMessages.state(now(), reported, startup, since.getEpochSecond()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The lease database

    /** A stored state is resumed only on the database it was recorded with; a new server has nothing to resume. */
    private boolean holdingStartup() {
        return !store.checked() && previous != null;
    }

    /**
     * The lease-service named its database: in answer to our identify command, or unasked when it started. Completes
     * with true when this relationship's state belongs to another database and the server must start the relationship
     * over as a new one (an answer during STARTUP does that here).
     */
    public CompletableFuture<Boolean> checkLeaseStore(BindingUpdate named) {
        return actor.call(() -> {
            LeaseStoreIdentity.Outcome outcome =
                    store.check(named, state == FailoverState.STARTUP, previous == null ? null : previous.label());
            switch (outcome) {
                case CONFIRMED -> {
                    publish();
                    releaseStartup();
                }
                case REPLACED_AT_STARTUP -> {
                    metrics.count("tandem_failover_lease_store_lost_total");
                    previous = null;
                    lastOperation = null;
                    publish();
                    releaseStartup();
                }
                case REPLACED -> {
                    metrics.count("tandem_failover_lease_store_lost_total");
                    return true;
                }
                case NONE -> {}
            }
            return false;
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

    // ---------------------------------------------------------------------------------------------------------------
    // Our updates and pool requests

    /** A binding change of ours (or the end marker of a resend or a balancing pass) from the lease-service. */
    public void enqueue(BindingUpdate update) {
        run(() -> {
            if (update.isEndOfResend() && update.addressesMoved() != null) {
                answerPoolRequest(update.resendDone(), update.addressesMoved());
            } else if (update.isEndOfResend()) {
                flows.resendEnded(update.resendDone());
            } else {
                flows.queueOurs(update);
            }
        });
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
        commands.send(FailoverCommand.BALANCE, requestId);
    }

    private void answerPoolRequest(String requestId, long moved) {
        Long xid = poolRequests.remove(requestId);
        PeerConnection connection = link.connection();
        if (xid != null && connection != null) {
            connection.send(FailoverMessages.poolResponse(now(), xid, moved));
            metrics.count("tandem_failover_pool_messages_total", "type", "poolresp-sent");
            Log.infof("Failover %s: gave the partner %d free addresses (POOLRESP)", config.name(), moved);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Operator commands

    /** "Partner down" (§9.5.2); the answer says what happened. */
    public CompletableFuture<String> partnerDown() {
        return actor.call(() -> FailoverStateMachine.onPartnerDownCommand(state)
                .map(next -> {
                    transition(next, "operator command");
                    return "PARTNER-DOWN";
                })
                .orElseThrow(() -> new IllegalStateException("partner-down is not allowed in " + state.label()
                        + " (only NORMAL, COMMUNICATIONS-INTERRUPTED," + " RESOLUTION-INTERRUPTED)")));
    }

    /** Planned maintenance: once our updates are acknowledged, SHUTDOWN; the partner takes over (PARTNER-DOWN). */
    public CompletableFuture<String> maintenanceStart() {
        return actor.call(() -> FailoverStateMachine.onMaintenanceStart(state)
                .map(next -> {
                    transition(next, "maintenance: handing over to the partner");
                    // Until the partner is PARTNER-DOWN this server keeps serving, then it finishes what is in flight.
                    drainUntil = clock.instant().plus(settings.maintenanceDrain());
                    publish();
                    actor.after(settings.maintenanceDrain().plusMillis(100), this::publish);
                    return next.label();
                })
                .orElseThrow(() ->
                        new IllegalStateException("maintenance can start only in NORMAL, not in " + state.label())));
    }

    public CompletableFuture<String> maintenanceEnd() {
        return actor.call(() -> FailoverStateMachine.onMaintenanceEnd(state)
                .map(next -> {
                    transition(next, "maintenance over: recovering from the partner");
                    return next.label();
                })
                .orElseThrow(() -> new IllegalStateException("not in maintenance (state " + state.label() + ")")));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Status

    /** The status as published, read on the relationship's context. */
    public CompletableFuture<FailoverStatus> status() {
        return actor.call(this::snapshot);
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
        return actor.call(() -> new Report(
                snapshot(),
                ours.size(),
                metrics.skew(),
                dataPathUp ? null : dataPathWhy,
                waitingFor().map(WaitingFor::description).orElse(null)));
    }

    /** Our updates queued or in flight (read by the metrics' gauge from any thread: an estimate). */
    private long pendingUpdates() {
        return ours == null ? 0 : ours.size();
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
                link.mclt().toSeconds(),
                link.buckets().hex(),
                config.loadBalanceMaxSeconds(),
                config.scopes(),
                everCommunicated,
                clock.instant(),
                drainUntil,
                store.store(),
                store.sequence(),
                joining.isEmpty() ? null : List.copyOf(joining.scopes()));
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }
}

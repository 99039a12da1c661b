package dev.tandem.coordinator.service;

import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.coordinator.domain.CrossingRule;
import dev.tandem.coordinator.peer.Channel;
import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.FailoverOption;
import dev.tandem.protocol.failover.RejectReason;
import dev.tandem.protocol.net.Ipv4;
import io.quarkus.logging.Log;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The partner's binding updates (draft §7.1): each is made durable by the lease-service, then acknowledged (BNDACK),
 * or refused where it crossed ours and ours stands. Between Tandem servers both sides apply one rule
 * ({@link CrossingRule#oursStands}); with ISC dhcpd this server follows ISC's answers to ours ({@link #decide}). The
 * partner's updates that arrive while a resend of ours is on its way wait for it ({@link Around#resending}), so that
 * one crossing ours can be told from one that follows it. Which updates are still being applied decides when the
 * partner's UPDDONE counts ({@link #appliedUpTo}).
 */
final class InboundUpdates {

    /** What the partner's updates need of the rest of the relationship, on its context. */
    interface Around {
        /** Whether a resend the partner asked for is still on its way from the lease-service. */
        boolean resending();

        /** A binding of the partner's arrived (a joining scope's full update may count it). */
        void arrived(Ipv4 address);

        /** Our update, to queue for the partner: a binding applied here that goes back to ISC as ours. */
        void sendBack(BindingUpdate ours);

        /** No update of the partner's of this address is being decided any more: ours of it may go. */
        void addressFree();

        /** One of the partner's updates was decided: an UPDDONE may count now. */
        void decided();

        /** One of ours was dropped as superseded: an UPDDONE owed may be due now. */
        void superseded();

        /** A sign that a wait is moving (see {@link dev.tandem.coordinator.domain.WaitingFor}). */
        void progress();

        /** The configuration revision the lease-service must have to apply the partner's update. */
        long revision();
    }

    private final RelationshipConfig config;
    private final CoordinatorConfig.Failover settings;
    private final Link link;
    private final OutboundUpdates ours;
    private final RelationshipRunner.Bus bus;
    private final Actor actor;
    private final Metrics metrics;
    private final Clock clock;
    private final Around around;

    /** Receipt numbers of the partner's updates on the current connection, in order. */
    private long received;
    /** The partner's updates on the current connection not yet decided here, by receipt. */
    private final TreeSet<Long> applying = new TreeSet<>();
    /**
     * How many of the partner's updates of each address are being decided here (once no longer held: see
     * {@link #decide}). Ours of such an address waits ({@link OutboundUpdates#pump}): our BNDACK of theirs goes first,
     * as ISC dhcpd orders them, so that ours, made after theirs was applied, cannot reach the partner before that BNDACK
     * and be taken for one crossing its update.
     */
    private final Map<String, Integer> deciding = new HashMap<>();
    /** The address of each of the partner's updates being decided, by receipt. */
    private final Map<Long, String> decidingReceipts = new HashMap<>();
    /** The partner's updates that arrived while a resend of ours was on its way ({@link Around#resending}). */
    private final List<Held> held = new ArrayList<>();
    /** With ISC: the partner's updates that crossed ours in flight, waiting for its answer to ours, by our xid. */
    private final Map<Long, List<Held>> awaitingAnswer = new HashMap<>();
    /** Whether a crossed pool update was logged on the current connection (they come by the dozen). */
    private boolean crossingLogged;

    /**
     * A partner's update held during a resend of ours or, with ISC, until the partner answers ours that it crossed; and
     * that update of ours of its address.
     */
    private static final class Held {
        final Channel connection;
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

        Held(Channel connection, long xid, Binding binding, long receipt) {
            this.connection = connection;
            this.xid = xid;
            this.binding = binding;
            this.receipt = receipt;
        }

        String address() {
            return binding.address().toString();
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

    InboundUpdates(
            RelationshipConfig config,
            CoordinatorConfig.Failover settings,
            Link link,
            OutboundUpdates ours,
            RelationshipRunner.Bus bus,
            Actor actor,
            Metrics metrics,
            Clock clock,
            Around around) {
        this.config = config;
        this.settings = settings;
        this.link = link;
        this.ours = ours;
        this.bus = bus;
        this.actor = actor;
        this.metrics = metrics;
        this.clock = clock;
        this.around = around;
    }

    /** The link is lost: the partner sends everything unacknowledged again on the next. */
    void linkLost() {
        applying.clear();
        deciding.clear();
        decidingReceipts.clear();
        crossingLogged = false;
        held.clear();
        awaitingAnswer.clear();
    }

    /** The receipt number of the partner's last update on this connection. */
    long received() {
        return received;
    }

    /** Whether every update of the partner's received up to this receipt is decided here. */
    boolean appliedUpTo(long receipt) {
        return applying.isEmpty() || applying.first() > receipt;
    }

    /** How many of the partner's updates are still being applied here. */
    int applying() {
        return applying.size();
    }

    /** Whether none of the partner's updates is being applied or held here (its window is not full of ours). */
    boolean idle() {
        return applying.isEmpty() && held.isEmpty();
    }

    /** Whether the partner's update of the address is being decided: our update of it waits. */
    boolean deciding(String address) {
        return deciding.containsKey(address);
    }

    void onBindingUpdate(Channel connection, FailoverMessage m) {
        Optional<Binding> binding = FailoverMessages.binding(m);
        if (binding.isEmpty() || m.count(FailoverOption.ASSIGNED_IP_ADDRESS) != 1) {
            metrics.count("tandem_failover_partner_updates_refused_total", "reason", "missing-binding-information");
            Binding placeholder = new Binding(
                    m.address(FailoverOption.ASSIGNED_IP_ADDRESS).orElse(Ipv4.ANY),
                    BindingStatus.FREE,
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
        around.arrived(binding.get().address());
        Held h = new Held(connection, m.xid(), binding.get(), receipt);
        if (around.resending()) {
            // our update of the address already in flight crosses it as much as one our resend queues later
            if (link.iscPartner()) {
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
     * both sides apply one rule ({@link CrossingRule#oursStands}). ISC dhcpd decides a crossing by rules of its own
     * (which update is better, then whether its state may change that way), so with ISC this server follows its
     * answers: the partner's update that crossed ours in flight waits for ISC's answer to each of them; any of ours
     * taken, theirs is refused (ISC has dropped it), all refused, theirs is applied. ISC's ACTIVE crossing ours that is
     * not ACTIVE is applied at once (the acceptance matrix decides; waiting, a lost connection would lose it), and goes
     * back to ISC as ours if ISC took ours over it: ISC would hold the address free, maybe for another client, while
     * its client still uses it ({@link #finishSendBack}). Ours only queued here has crossed nothing: ISC never saw it,
     * and it is dropped once theirs is applied ({@link OutboundUpdates#dropSuperseded}).
     */
    private void decide(Held h) {
        // from now on ours of the address waits for our answer (not while held: ours resent meanwhile crosses it)
        if (decidingReceipts.putIfAbsent(h.receipt, h.address()) == null) {
            deciding.merge(h.address(), 1, Integer::sum);
        }
        if (!link.iscPartner()) {
            decidePartnerUpdate(h, Optional.ofNullable(h.crossedBy).or(() -> crossedUpdate(h.binding)));
            return;
        }
        awaitInFlight(h);
        boolean atOnce = h.binding.status() == BindingStatus.ACTIVE && h.crossedBy != null && !h.oursActive;
        for (Long xid : h.awaited) {
            awaitingAnswer.computeIfAbsent(xid, x -> new ArrayList<>()).add(h);
        }
        if (atOnce) {
            h.appliedAtOnce = true;
            applyPartnerUpdate(h, ours.lastQueued(), 0, h);
            return;
        }
        if (!h.awaited.isEmpty()) {
            return;
        }
        if (h.crossedBy == null) {
            // ours only queued (the window full): ISC will see it after our answer to theirs, outside its own update's
            // wait, and take it if it may; the primary's stands as ISC's rule has it, else a new ISC secondary's full
            // update (all FREE) would undo our split before ours got there, and ISC would have no address of its own
            Optional<BindingUpdate> queued = ours.queued(h.address());
            if (queued.isPresent()
                    && CrossingRule.iscTakesOurs(
                            config.primary(), h.binding.status(), queued.get().status())) {
                decidePartnerUpdate(h, queued);
                return;
            }
        }
        decidePartnerUpdate(h, h.oursTaken ? Optional.of(h.crossedBy) : Optional.empty());
    }

    /** With ISC: the partner's update crossed each of our updates of its address now in flight, and awaits them. */
    private void awaitInFlight(Held h) {
        ours.inFlight(h.address(), h::crossed);
    }

    /**
     * With ISC: ISC's ACTIVE, applied at once, goes back to ISC as ours once its answers show it took any of ours that
     * it crossed (the row stays unacknowledged in the lease table meanwhile, so a lost connection resends it); taken by
     * none, ISC kept its binding, and the row is recorded as acknowledged. One of ours numbered later supersedes it.
     */
    private void finishSendBack(Held h) {
        long sequence = h.appliedSequence;
        h.appliedSequence = 0;
        if (!h.oursTaken) {
            bus.acknowledged(new BindingAck(
                    BindingAck.VERSION,
                    config.name(),
                    h.address(),
                    sequence,
                    h.binding.potentialExpiration(),
                    null,
                    null,
                    0));
        } else if (!ours.newerThan(h.address(), sequence)) {
            metrics.count("tandem_failover_partner_updates_sent_back_total");
            around.sendBack(BindingUpdate.of(config.name(), h.binding, sequence));
        }
    }

    /**
     * With ISC: its answer to our update {@code xid} counts for the partner's updates of the address that crossed it:
     * those waiting for it, decided once every answer they wait for is in, and those held during our resend (each of
     * ours sent while theirs is held, unacknowledged, crosses it at ISC too).
     */
    void answered(long xid, BindingUpdate update, boolean taken) {
        if (!link.iscPartner()) {
            return;
        }
        for (Held h : held) {
            if (h.address().equals(update.address())) {
                h.crossed(xid, update);
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

    /** The partner's updates held during a resend of ours, in order, once no resend of ours is on its way. */
    void releaseHeld() {
        if (around.resending() || held.isEmpty()) {
            return;
        }
        List<Held> waiting = new ArrayList<>(held);
        held.clear();
        for (Held h : waiting) {
            if (!h.connection.closed()) {
                decide(h);
            }
        }
    }

    /** Our resent update, just queued, crosses the partner's held updates of its address that it contradicts. */
    void markCrossedHeld(BindingUpdate update) {
        if (link.iscPartner()) {
            return; // decided by ISC's answer to ours, once sent (decide)
        }
        for (Held h : held) {
            if (h.address().equals(update.address())
                    && CrossingRule.oursStands(config.primary(), h.binding.status(), update.status())) {
                h.crossedBy = update;
            }
        }
    }

    /** The partner's update {@code receipt} is decided here (applied or refused): an UPDDONE may count. */
    private void decided(long receipt) {
        applying.remove(receipt);
        String address = decidingReceipts.remove(receipt);
        if (address != null && deciding.merge(address, -1, Integer::sum) <= 0) {
            deciding.remove(address);
            around.addressFree();
        }
        around.decided();
    }

    private void decidePartnerUpdate(Held h, Optional<BindingUpdate> crossed) {
        if (crossed.isPresent()) {
            metrics.count("tandem_failover_partner_updates_refused_total", "reason", "crossed-pool-update");
            if (!crossingLogged) {
                crossingLogged = true;
                Log.infof(
                        "Failover %s: the partner's %s of %s crossed our own %s of it; ours stands (further ones on"
                                + " this connection are counted in tandem_failover_partner_updates_refused_total)",
                        config.name(),
                        h.binding.status(),
                        h.binding.address(),
                        crossed.get().status());
            }
            h.connection.send(FailoverMessages.bindingAck(
                    now(),
                    h.xid,
                    h.binding,
                    RejectReason.OUTDATED_BINDING_INFORMATION,
                    "crossed this server's own update of the address"));
            decided(h.receipt);
            return;
        }
        applyPartnerUpdate(h, ours.lastQueued(), 0, null);
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
        return ours.latest(theirs.address().toString())
                .filter(u -> CrossingRule.oursStands(config.primary(), theirs.status(), u.status()));
    }

    /**
     * Has the lease-service make the partner's update durable, then sends the BNDACK (§7.2). An update is never dropped
     * while its connection lasts: the partner holds it in its window of unacknowledged updates, and a dropped one would
     * stop its updates for good. A slow or failed attempt is tried again with a growing pause; a new connection ends
     * the attempts, since the partner sends everything unacknowledged again. With {@code sendBack}, the binding applied
     * goes back to the partner as ours, numbered as the row took it (see {@link #decide}).
     */
    private void applyPartnerUpdate(Held h, long queuedBefore, int attempt, Held sendBack) {
        Binding b = h.binding;
        BindingUpdate theirs = BindingUpdate.of(config.name(), b, h.xid).withRevision(around.revision());
        // ISC keeps the later of two ACTIVE bindings of one address (it refuses ours when its own is later): so does
        // this server, even as the primary whose binding the acceptance matrix would keep; else each would keep its own
        theirs = link.iscPartner() ? theirs.withLaterActiveWins() : theirs;
        bus.applyPartnerUpdate(sendBack != null ? theirs.sentBack() : theirs)
                .ifNoItem()
                .after(settings.updateTimeout())
                .fail()
                .subscribe()
                .with(
                        ack -> actor.run(() -> {
                            if (h.connection.closed()) {
                                return;
                            }
                            RejectReason reason =
                                    ack.rejectReason() == null ? null : RejectReason.valueOf(ack.rejectReason());
                            h.connection.send(FailoverMessages.bindingAck(now(), h.xid, b, reason, ack.message()));
                            around.progress();
                            if (reason == null) {
                                if (ours.dropSuperseded(b.address().toString(), queuedBefore, ack.appliedSequence())) {
                                    around.superseded();
                                }
                                if (sendBack != null && ack.appliedSequence() > 0) {
                                    sendBack.appliedSequence = ack.appliedSequence();
                                    if (sendBack.awaited.isEmpty()) {
                                        finishSendBack(sendBack);
                                    }
                                }
                            }
                            decided(h.receipt);
                        }),
                        failure -> actor.run(() -> {
                            if (h.connection.closed()) {
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
                            actor.after(Duration.ofMillis(pause), () -> {
                                if (!h.connection.closed()) {
                                    applyPartnerUpdate(h, queuedBefore, attempt + 1, sendBack);
                                }
                            });
                        }));
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }
}

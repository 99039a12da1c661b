package dev.tandem.coordinator.service;

import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.coordinator.domain.UnansweredUpdates;
import dev.tandem.coordinator.peer.Channel;
import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.FailoverOption;
import dev.tandem.protocol.failover.RejectReason;
import dev.tandem.protocol.net.Ipv4;
import io.quarkus.logging.Log;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Our binding updates to the partner (draft §7.1, §8.4): queued by address (the latest wins), sent one binding per
 * BNDUPD within the partner's window, in flight by xid until its BNDACK, whose answer goes back to the lease-service.
 * An update that can no longer be right is not sent (stale against the partner's applied since, or outside the
 * relationship's pools as this runner has them). Updates lost on their way are found and sent again: those the
 * lease-service still holds unacknowledged ({@link #recheckUnacked}), and one the partner left unanswered while it
 * answered later ones ({@link #checkUnanswered}).
 */
final class OutboundUpdates {

    /** An update of ours and its place in the order they were queued. */
    record Queued(BindingUpdate update, long ordinal) {}

    /** The partner's answer to one of ours: the update, and whether it took it. */
    record Answer(long xid, BindingUpdate update, boolean taken) {}

    /** A recheck whose end never came (the lease-service failed it) no longer holds the next one back after this. */
    private static final Duration RECHECK_PATIENCE = Duration.ofMinutes(5);

    private static final int APPLIED_REMEMBERED = 65_536;

    private final String relationship;
    private final CoordinatorConfig.Failover settings;
    private final Link link;
    private final RelationshipRunner.Bus bus;
    private final LeaseServiceCommands commands;
    private final Metrics metrics;
    private final Clock clock;
    private final Supplier<List<ScopeConfig>> pools;
    /** Whether the partner's update of an address is being decided here: ours of it waits for our answer to it. */
    private final Predicate<String> deciding;

    private final LinkedHashMap<String, Queued> queue = new LinkedHashMap<>();
    private final Map<Long, Queued> inFlight = new HashMap<>();
    /** Which of our updates in flight the partner lost: see {@link #checkUnanswered}. */
    private final UnansweredUpdates unanswered = new UnansweredUpdates();

    private long ordinal;
    /** The highest update number seen from the lease-service, and what it was at the last unacked recheck. */
    private long highestSeen;

    private long recheckBound;
    /** The unacked recheck asked for and not ended yet (its end marker), and when it was asked. */
    private String recheck;

    private Instant recheckSent = Instant.EPOCH;
    /** The resend of unacknowledged updates asked for when the link came up, until its end marker arrives. */
    private String connectionResend;
    /**
     * The update number each address's row took when the partner's update of it was last applied here: an update of
     * ours numbered below it is stale (see {@link #queue}). Stale ones come within a consumer's lag, so the oldest
     * entries go beyond a bound.
     */
    private final Map<String, Long> appliedAt = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > APPLIED_REMEMBERED;
        }
    };

    OutboundUpdates(
            String relationship,
            CoordinatorConfig.Failover settings,
            Link link,
            RelationshipRunner.Bus bus,
            LeaseServiceCommands commands,
            Metrics metrics,
            Clock clock,
            Supplier<List<ScopeConfig>> pools,
            Predicate<String> deciding) {
        this.relationship = relationship;
        this.settings = settings;
        this.link = link;
        this.bus = bus;
        this.commands = commands;
        this.metrics = metrics;
        this.clock = clock;
        this.pools = pools;
        this.deciding = deciding;
    }

    /** A new link: whatever the partner has not acknowledged goes again (§9.4.1), asked of the lease-service. */
    void linkUp(Channel connection) {
        String resend = UUID.randomUUID().toString();
        connectionResend = resend;
        commands.resend(
                FailoverCommand.RESEND_UNACKED,
                resend,
                () -> connection == link.connection() && resend.equals(connectionResend));
    }

    /** The link is lost: unacked updates stay unacked in the lease table and are resent on the next connection. */
    void linkLost() {
        queue.clear();
        inFlight.clear();
        unanswered.connectionEnded();
        connectionResend = null;
    }

    /** Whether the resend asked for when the link came up is still on its way. */
    boolean resendingForLink() {
        return connectionResend != null;
    }

    /** A resend of the lease-service ended (its end marker). */
    void resendEnded(String requestId) {
        if (requestId.equals(connectionResend)) {
            connectionResend = null;
        }
        if (requestId.equals(recheck)) {
            recheck = null;
        }
    }

    /**
     * Our update of an address, queued to be sent within the partner's window unless there is no link, it is stale or
     * it is outside the relationship: whether it was queued.
     */
    boolean queue(BindingUpdate update) {
        if (link.connection() == null) {
            return false; // the lease table keeps it unacknowledged; resent on the next connection
        }
        Ipv4 address = Ipv4.parse(update.address());
        if (pools.get().stream().noneMatch(p -> p.inPool(address))) {
            // Not in the relationship's pools as this runner has them: a scope that has just joined here or
            // whose pool grew, in a lease-service ahead of this runner. The partner would refuse it for good, or
            // take it for its full update of a joining scope: it stays unacknowledged and is sent once the
            // runner has the configuration (reconfigured, or the next runner's connection).
            return false;
        }
        Long applied = appliedAt.get(update.address());
        if (applied != null && update.sequence() < applied) {
            // published before the partner's update of the address was applied here, and come only now (a
            // consumer's lag): the row is the partner's binding, and this stale snapshot would undo it there
            metrics.count("tandem_failover_binding_updates_superseded_total");
            return false;
        }
        highestSeen = Math.max(highestSeen, update.sequence());
        queue.remove(update.address());
        queue.put(update.address(), new Queued(update, ++ordinal));
        return true;
    }

    /** Sends queued updates within the partner's window (§8.4), one binding per BNDUPD. */
    void pump() {
        Channel connection = link.connection();
        if (connection == null) {
            return;
        }
        Iterator<Map.Entry<String, Queued>> it = queue.entrySet().iterator();
        while (inFlight.size() < link.window() && it.hasNext()) {
            Queued q = it.next().getValue();
            if (deciding.test(q.update().address())) {
                continue; // after our BNDACK of the partner's update of the address
            }
            it.remove();
            long xid = connection.sendRequest(
                    FailoverMessages.bindingUpdate(now(), q.update().toBinding()));
            inFlight.put(xid, q);
            unanswered.sent(xid, clock.instant());
            metrics.count("tandem_failover_binding_updates_sent_total");
        }
    }

    /** The partner's BNDACK: its answer goes back to the lease-service; empty for one of an earlier connection. */
    Optional<Answer> onBindingAck(FailoverMessage m) {
        Queued q = inFlight.remove(m.xid());
        if (q == null) {
            return Optional.empty();
        }
        unanswered.answered(m.xid());
        Optional<RejectReason> reject = FailoverMessages.rejectReason(m);
        BindingUpdate u = q.update();
        bus.acknowledged(new BindingAck(
                BindingAck.VERSION,
                relationship,
                u.address(),
                u.sequence(),
                reject.isPresent() ? 0 : u.potentialExpiration(),
                reject.map(Enum::name).orElse(null),
                m.text(FailoverOption.MESSAGE).orElse(null),
                0));
        if (reject.isPresent()) {
            metrics.count(
                    "tandem_failover_binding_updates_rejected_total",
                    "reason",
                    reject.get().tag());
        } else {
            metrics.count("tandem_failover_binding_updates_acked_total");
        }
        return Optional.of(new Answer(m.xid(), u, reject.isEmpty()));
    }

    /**
     * Every recheck interval: an update this runner saw before the previous recheck and holds neither queued nor in
     * flight has had a whole interval to be acknowledged. If the lease table still holds it unacknowledged, it was lost
     * on its way (an acknowledgement the lease-service could not record, a write to the bus that failed), so the
     * lease-service is asked to send those again, numbered up to below the lowest one still pending here. This works
     * under steady load too, where the queue is never empty. Nothing is asked while the connection's resend runs.
     */
    void recheckUnacked() {
        long bound = recheckBound;
        recheckBound = highestSeen;
        if (link.connection() == null || connectionResend != null) {
            return;
        }
        if (recheck != null && clock.instant().isBefore(recheckSent.plus(RECHECK_PATIENCE))) {
            return; // the previous one has not ended yet: one at a time, so they never queue up
        }
        long lowestPending =
                pending().mapToLong(q -> q.update().sequence()).min().orElse(Long.MAX_VALUE);
        long upTo = Math.min(bound, lowestPending - 1);
        if (upTo > 0) {
            recheck = UUID.randomUUID().toString();
            recheckSent = clock.instant();
            commands.send(FailoverCommand.RESEND_UNACKED, recheck, upTo);
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
    void checkUnanswered() {
        unanswered.lost(clock.instant(), settings.unansweredAfter()).ifPresent(xid -> {
            BindingUpdate u = inFlight.get(xid).update();
            metrics.count("tandem_failover_binding_updates_unanswered_total");
            String why = "our update of " + u.address() + " (xid " + xid + ") unanswered for "
                    + settings.unansweredAfter().toSeconds() + " s after later ones were answered";
            if (!unanswered.firstEndFor(u.address() + "#" + u.sequence())) {
                Log.warnf("Failover %s: %s, again on a new connection; it waits", relationship, why);
                return;
            }
            Log.warnf("Failover %s: %s; ending the connection, the next one sends it again", relationship, why);
            link.disconnect(RejectReason.UNKNOWN_REASON, why);
        });
    }

    /** Our update of the address still queued (not sent yet), if any. */
    Optional<BindingUpdate> queued(String address) {
        return Optional.ofNullable(queue.get(address)).map(Queued::update);
    }

    /** Each of our updates of the address in flight, with its xid. */
    void inFlight(String address, BiConsumer<Long, BindingUpdate> each) {
        inFlight.forEach((xid, q) -> {
            if (q.update().address().equals(address)) {
                each.accept(xid, q.update());
            }
        });
    }

    /** Our latest update of the address not acknowledged yet, queued or in flight. */
    Optional<BindingUpdate> latest(String address) {
        Queued latest = queue.get(address);
        for (Queued q : inFlight.values()) {
            if (q.update().address().equals(address) && (latest == null || q.ordinal() > latest.ordinal())) {
                latest = q;
            }
        }
        return Optional.ofNullable(latest).map(Queued::update);
    }

    /** Whether an update of ours of the address numbered above {@code sequence} is queued or in flight. */
    boolean newerThan(String address, long sequence) {
        return pending()
                .anyMatch(
                        q -> q.update().address().equals(address) && q.update().sequence() > sequence);
    }

    /** The order number of the update queued last: those queued up to it are "before" a barrier set now. */
    long lastQueued() {
        return ordinal;
    }

    /** Whether any update queued up to the barrier is still queued or in flight. */
    boolean pendingUpTo(long barrier) {
        return pending().anyMatch(q -> q.ordinal() <= barrier);
    }

    /** How many of our updates are queued or in flight. */
    long size() {
        return (long) queue.size() + inFlight.size();
    }

    /**
     * The partner's update of an address was applied here (the row took {@code appliedSequence}): our update of it
     * still queued from before that (queued up to {@code queuedBefore}, or numbered below the row's number) is a stale
     * snapshot, since the row is the partner's binding now (and counts as acknowledged). Sent after, it would undo the
     * partner's binding there (the short chaos run: a BACKUP queued behind a full resend reached the partner after it
     * had freed the address, and the two views swapped). It is dropped: whether one was. One that comes later still is
     * dropped on arrival ({@link #appliedAt}).
     */
    boolean dropSuperseded(String address, long queuedBefore, long appliedSequence) {
        if (appliedSequence > 0) {
            Long earlier = appliedAt.remove(address); // put again: the newest entries stay
            appliedAt.put(address, earlier == null ? appliedSequence : Math.max(earlier, appliedSequence));
        }
        Queued ours = queue.get(address);
        if (ours != null && (ours.ordinal() <= queuedBefore || ours.update().sequence() < appliedSequence)) {
            queue.remove(address);
            metrics.count("tandem_failover_binding_updates_superseded_total");
            return true;
        }
        return false;
    }

    private Stream<Queued> pending() {
        return Stream.concat(queue.values().stream(), inFlight.values().stream());
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }
}

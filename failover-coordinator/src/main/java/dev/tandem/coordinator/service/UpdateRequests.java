package dev.tandem.coordinator.service;

import dev.tandem.coordinator.peer.Channel;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.failover.MessageType;
import io.quarkus.logging.Log;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Requests for all bindings or the unacknowledged ones (UPDREQALL, UPDREQ) and their end (UPDDONE, draft §7.4-7.5),
 * both ways. The partner's: the lease-service resends ours, and UPDDONE goes once every update queued before the
 * resend's end is acknowledged. Ours: one at a time, and the partner's UPDDONE counts once every update of its sent
 * before it is applied here.
 */
final class UpdateRequests {

    /** UPDDONE owed to the partner once every update queued before the barrier (-1: the resend not ended) is acked. */
    private record Owed(String requestId, long xid, long barrier, Channel connection, boolean all) {}

    private final String relationship;
    private final Link link;
    private final OutboundUpdates ours;
    private final LeaseServiceCommands commands;
    private final Clock clock;
    /** Called when the partner's UPDDONE for our request counts: with whether we had asked for all. */
    private final Consumer<Boolean> done;
    /** Called when we ask for all: a joining scope's bindings are counted afresh. */
    private final Runnable askingAll;
    /** The partner's updates, applied here before its UPDDONE counts. */
    private InboundUpdates theirs;

    private final Deque<Owed> owed = new ArrayDeque<>();
    /** Our own UPDREQ/UPDREQALL waiting for the partner's UPDDONE, and whether it is an UPDREQALL. */
    private boolean awaitingUpdateDone;

    private boolean requestedAll;
    /** The xid of our latest UPDREQ/UPDREQALL: only the UPDDONE that answers it counts (ISC and Tandem echo it). */
    private long requestXid = -1;
    /** The receipt number of the partner's last update before its UPDDONE (-1: none pending). */
    private long updateDoneBarrier = -1;
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

    UpdateRequests(
            String relationship,
            Link link,
            OutboundUpdates ours,
            LeaseServiceCommands commands,
            Clock clock,
            Runnable askingAll,
            Consumer<Boolean> done) {
        this.relationship = relationship;
        this.link = link;
        this.ours = ours;
        this.commands = commands;
        this.clock = clock;
        this.askingAll = askingAll;
        this.done = done;
    }

    void theirs(InboundUpdates theirs) {
        this.theirs = theirs;
    }

    void linkLost() {
        owed.clear();
        awaitingUpdateDone = false;
        updateDoneBarrier = -1;
    }

    /** The partner reported its state: whether it may have lost its bindings. */
    void partnerReported(FailoverState reported) {
        if (reported == FailoverState.RECOVER) {
            partnerMayLackBindings = true;
        } else if (reported == FailoverState.RECOVER_WAIT
                || reported == FailoverState.RECOVER_DONE
                || reported == FailoverState.NORMAL) {
            partnerMayLackBindings = false; // it has recovered
        }
    }

    /** Whether our request waits for the partner's UPDDONE. */
    boolean awaiting() {
        return awaitingUpdateDone;
    }

    /** Whether our request under way asks for all. */
    boolean askedAll() {
        return requestedAll;
    }

    /** Whether the partner's UPDDONE has come and waits for its updates to be applied here. */
    boolean doneArrived() {
        return updateDoneBarrier >= 0;
    }

    /**
     * Whether a resend the partner asked for (UPDREQ, UPDREQALL) is still on its way from the lease-service. The
     * partner's updates wait for it: until our resent bindings are queued here, one of the partner's that crosses ours
     * could not be told from one that follows it (a new pair's two full updates cross at once).
     */
    boolean resending() {
        return owed.stream().anyMatch(o -> o.barrier() < 0);
    }

    void onUpdateRequest(Channel connection, FailoverMessage m, boolean all) {
        String requestId = UUID.randomUUID().toString();
        boolean sendAll = all || partnerMayLackBindings;
        owed.addLast(new Owed(requestId, m.xid(), -1, connection, sendAll));
        Log.infof(
                "Failover %s: the partner asks for %s updates%s",
                relationship,
                all ? "all" : "unacknowledged",
                sendAll && !all ? "; sending all: it reported RECOVER and may have lost its lease database" : "");
        commands.resend(
                sendAll ? FailoverCommand.RESEND_ALL : FailoverCommand.RESEND_UNACKED,
                requestId,
                () -> connection == link.connection()
                        && owed.stream().anyMatch(o -> o.requestId().equals(requestId) && o.barrier() < 0));
    }

    /** The lease-service's resend {@code requestId} has ended: its UPDDONE waits for what it queued to be acked. */
    void resendEnded(String requestId) {
        owed.stream()
                .filter(o -> o.requestId().equals(requestId) && o.barrier() < 0)
                .findFirst()
                .ifPresent(o -> {
                    owed.remove(o);
                    owed.addFirst(new Owed(o.requestId(), o.xid(), ours.lastQueued(), o.connection(), o.all()));
                });
        settleOwed();
    }

    /** Sends UPDDONE for every request whose updates have all been acknowledged (§7.5). */
    void settleOwed() {
        Channel connection = link.connection();
        while (!owed.isEmpty()) {
            Owed o = owed.peekFirst();
            if (o.connection() != connection) {
                owed.pollFirst();
                continue;
            }
            if (o.barrier() < 0 || ours.pendingUpTo(o.barrier())) {
                return;
            }
            owed.pollFirst();
            if (o.all()) {
                partnerMayLackBindings = false;
            }
            connection.send(FailoverMessages.empty(MessageType.UPDDONE, now(), o.xid()));
        }
    }

    /**
     * Asks the partner for its updates (all of them, or those we have not acknowledged), unless a request is under way.
     * One for the unacknowledged ones under way when all are needed (RECOVER entered meanwhile) gives way to a request
     * for all: the UPDDONE of the first does not count (xid).
     */
    void request(boolean all) {
        Channel connection = link.connection();
        if (connection == null || (awaitingUpdateDone && (requestedAll || !all))) {
            return;
        }
        awaitingUpdateDone = true;
        requestedAll = all;
        updateDoneBarrier = -1;
        if (all) {
            askingAll.run();
        }
        requestXid = connection.sendRequest(
                FailoverMessages.empty(all ? MessageType.UPDREQALL : MessageType.UPDREQ, now(), 0));
        Log.infof("Failover %s: asked the partner for %s updates", relationship, all ? "all" : "unacknowledged");
    }

    /** Our request went unanswered (a stall): asked again, for all if it was for all or {@code all}. */
    void askAgain(boolean all) {
        awaitingUpdateDone = false;
        request(requestedAll || all);
    }

    void onUpdateDone(long xid) {
        if (!awaitingUpdateDone || updateDoneBarrier >= 0) {
            return;
        }
        if (xid != requestXid) {
            Log.infof(
                    "Failover %s: the partner's UPDDONE %d answers an earlier request, not our latest (%d)",
                    relationship, xid, requestXid);
            return;
        }
        updateDoneBarrier = theirs.received();
        if (theirs.applying() > 0) {
            Log.infof(
                    "Failover %s: the partner has sent all updates; %d are still being applied here",
                    relationship, theirs.applying());
        }
        settleUpdateDone();
    }

    /** Acts on the partner's UPDDONE once every update received before it is applied here. */
    void settleUpdateDone() {
        if (updateDoneBarrier < 0 || !theirs.appliedUpTo(updateDoneBarrier)) {
            return;
        }
        updateDoneBarrier = -1;
        awaitingUpdateDone = false;
        done.accept(requestedAll);
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }
}

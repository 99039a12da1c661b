package dev.tandem.coordinator.domain;

import static dev.tandem.protocol.failover.FailoverState.COMMUNICATIONS_INTERRUPTED;
import static dev.tandem.protocol.failover.FailoverState.CONFLICT_DONE;
import static dev.tandem.protocol.failover.FailoverState.NORMAL;
import static dev.tandem.protocol.failover.FailoverState.PARTNER_DOWN;
import static dev.tandem.protocol.failover.FailoverState.PAUSED;
import static dev.tandem.protocol.failover.FailoverState.POTENTIAL_CONFLICT;
import static dev.tandem.protocol.failover.FailoverState.RECOVER;
import static dev.tandem.protocol.failover.FailoverState.RECOVER_DONE;
import static dev.tandem.protocol.failover.FailoverState.RECOVER_WAIT;
import static dev.tandem.protocol.failover.FailoverState.RESOLUTION_INTERRUPTED;
import static dev.tandem.protocol.failover.FailoverState.SHUTDOWN;
import static dev.tandem.protocol.failover.FailoverState.STARTUP;

import dev.tandem.protocol.failover.FailoverState;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The failover state machine of draft-ietf-dhc-failover-12 §9 as tables of pure transitions: given this server's
 * state and an event, the next state (empty: stay). Where the draft leaves a choice, the choice is ISC dhcpd's (so
 * that a mixed pair behaves alike) unless noted. Actions on entering a state (UPDREQALL in RECOVER, the safe-period
 * timer in COMMUNICATIONS-INTERRUPTED, ...) belong to the caller; {@link #onPartnerStateActions} names the few actions
 * that come without a state change.
 */
public final class FailoverStateMachine {

    private FailoverStateMachine() {}

    /** Things to do that are not a state change. */
    public enum Action {
        /** Ask the partner for the updates we have not seen (the secondary in POTENTIAL-CONFLICT, §9.9). */
        SEND_UPDREQ
    }

    /** States in which communication was OK; after a restart their comm-failed transition applies first (§9.3.2). */
    static final Set<FailoverState> COMMUNICATING = EnumSet.of(NORMAL, POTENTIAL_CONFLICT, CONFLICT_DONE, RECOVER_DONE);

    /** Reaction to the partner's (new) state, per own state (§9.4–§9.14); absent: stay. */
    private static final Map<FailoverState, Map<FailoverState, FailoverState>> ON_PARTNER =
            new EnumMap<>(FailoverState.class);

    static {
        // §9.4 NORMAL. Partner RECOVER or SHUTDOWN: serve everything while it recovers (ISC).
        on(NORMAL, PARTNER_DOWN, POTENTIAL_CONFLICT);
        on(NORMAL, POTENTIAL_CONFLICT, POTENTIAL_CONFLICT);
        on(NORMAL, RESOLUTION_INTERRUPTED, POTENTIAL_CONFLICT);
        on(NORMAL, CONFLICT_DONE, POTENTIAL_CONFLICT);
        on(NORMAL, RECOVER, PARTNER_DOWN);
        on(NORMAL, SHUTDOWN, PARTNER_DOWN);
        on(NORMAL, PAUSED, COMMUNICATIONS_INTERRUPTED);
        // §9.5 COMMUNICATIONS-INTERRUPTED. A partner in RECOVER-WAIT does not serve yet: keep serving all (ISC would
        // go NORMAL here; staying avoids reporting NORMAL before the partner reports RECOVER-DONE).
        on(COMMUNICATIONS_INTERRUPTED, NORMAL, NORMAL);
        on(COMMUNICATIONS_INTERRUPTED, COMMUNICATIONS_INTERRUPTED, NORMAL);
        on(COMMUNICATIONS_INTERRUPTED, RECOVER_DONE, NORMAL);
        on(COMMUNICATIONS_INTERRUPTED, RECOVER, PARTNER_DOWN);
        on(COMMUNICATIONS_INTERRUPTED, PARTNER_DOWN, POTENTIAL_CONFLICT);
        on(COMMUNICATIONS_INTERRUPTED, POTENTIAL_CONFLICT, POTENTIAL_CONFLICT);
        on(COMMUNICATIONS_INTERRUPTED, RESOLUTION_INTERRUPTED, POTENTIAL_CONFLICT);
        on(COMMUNICATIONS_INTERRUPTED, CONFLICT_DONE, POTENTIAL_CONFLICT);
        on(COMMUNICATIONS_INTERRUPTED, SHUTDOWN, PARTNER_DOWN);
        // §9.5.3 PARTNER-DOWN: a partner that also served is a potential conflict; one that recovered rejoins.
        on(PARTNER_DOWN, NORMAL, POTENTIAL_CONFLICT);
        on(PARTNER_DOWN, COMMUNICATIONS_INTERRUPTED, POTENTIAL_CONFLICT);
        on(PARTNER_DOWN, PARTNER_DOWN, POTENTIAL_CONFLICT);
        on(PARTNER_DOWN, POTENTIAL_CONFLICT, POTENTIAL_CONFLICT);
        on(PARTNER_DOWN, RESOLUTION_INTERRUPTED, POTENTIAL_CONFLICT);
        on(PARTNER_DOWN, CONFLICT_DONE, POTENTIAL_CONFLICT);
        on(PARTNER_DOWN, RECOVER_DONE, NORMAL);
        // §9.6 RECOVER: a partner resolving a conflict pulls us into it.
        on(RECOVER, POTENTIAL_CONFLICT, POTENTIAL_CONFLICT);
        on(RECOVER, RESOLUTION_INTERRUPTED, POTENTIAL_CONFLICT);
        on(RECOVER, CONFLICT_DONE, POTENTIAL_CONFLICT);
        // §9.7 RECOVER-DONE
        on(RECOVER_DONE, NORMAL, NORMAL);
        on(RECOVER_DONE, RECOVER_DONE, NORMAL);
        on(RECOVER_DONE, SHUTDOWN, PARTNER_DOWN);
        // §9.9 POTENTIAL-CONFLICT
        on(POTENTIAL_CONFLICT, RECOVER, RECOVER);
        on(POTENTIAL_CONFLICT, SHUTDOWN, PARTNER_DOWN);
        // §9.10 RESOLUTION-INTERRUPTED: any contact resumes the resolution.
        for (FailoverState p : FailoverState.values()) {
            on(RESOLUTION_INTERRUPTED, p, p == SHUTDOWN ? PARTNER_DOWN : POTENTIAL_CONFLICT);
        }
        // §9.11 CONFLICT-DONE (primary only): the secondary reached NORMAL.
        on(CONFLICT_DONE, NORMAL, NORMAL);
    }

    private static void on(FailoverState local, FailoverState partner, FailoverState next) {
        ON_PARTNER
                .computeIfAbsent(local, k -> new EnumMap<>(FailoverState.class))
                .put(partner, next);
    }

    /** The partner reported a state (communications OK). STARTUP-flagged reports are left to {@link #startup}. */
    public static Optional<FailoverState> onPartnerState(FailoverState local, FailoverState partner) {
        return Optional.ofNullable(ON_PARTNER.getOrDefault(local, Map.of()).get(partner));
    }

    /** Actions without a state change: the secondary asks for updates once the primary is CONFLICT-DONE (§9.9). */
    public static Set<Action> onPartnerStateActions(FailoverState local, boolean primary, FailoverState partner) {
        if (local == POTENTIAL_CONFLICT && !primary && partner == CONFLICT_DONE) {
            return EnumSet.of(Action.SEND_UPDREQ);
        }
        return EnumSet.noneOf(Action.class);
    }

    /** The connection dropped or nothing arrived within max-response-delay (§8.3). */
    public static Optional<FailoverState> onCommunicationsFailed(FailoverState local) {
        return switch (local) {
            case NORMAL, CONFLICT_DONE -> Optional.of(COMMUNICATIONS_INTERRUPTED);
            case POTENTIAL_CONFLICT -> Optional.of(RESOLUTION_INTERRUPTED);
            default -> Optional.empty();
        };
    }

    /** Leaving STARTUP once the partner's state is known (§9.3.2). */
    public static FailoverState startup(
            FailoverState previous, FailoverState partner, Instant partnerSince, Instant lastOperation) {
        FailoverState before = previous == null || previous == STARTUP ? RECOVER : previous;
        if (partner == PARTNER_DOWN) {
            // The partner ran alone: after our last operation we only need its data; before it we both may have. A
            // server that had handed over (PAUSED, SHUTDOWN) served nothing meanwhile: it recovers (§9.13).
            boolean after = partnerSince == null || lastOperation == null || partnerSince.isAfter(lastOperation);
            return before == RECOVER || before == PAUSED || before == SHUTDOWN || after ? RECOVER : POTENTIAL_CONFLICT;
        }
        FailoverState resumed =
                COMMUNICATING.contains(before) ? onCommunicationsFailed(before).orElse(before) : before;
        return onPartnerState(resumed, partner).orElse(resumed);
    }

    /** Leaving STARTUP without ever hearing from the partner: the previous state with communication failed. */
    public static FailoverState startupTimeout(FailoverState previous) {
        FailoverState before = previous == null || previous == STARTUP ? RECOVER : previous;
        return onCommunicationsFailed(before).orElse(before);
    }

    /** An operator's "partner down" (§9.5.2): allowed where the partner may really be down. */
    public static Optional<FailoverState> onPartnerDownCommand(FailoverState local) {
        return switch (local) {
            case NORMAL, COMMUNICATIONS_INTERRUPTED, RESOLUTION_INTERRUPTED, PARTNER_DOWN -> Optional.of(PARTNER_DOWN);
            default -> Optional.empty();
        };
    }

    /** The safe period ran out in COMMUNICATIONS-INTERRUPTED (§10). */
    public static Optional<FailoverState> onSafePeriodExpired(FailoverState local) {
        return local == COMMUNICATIONS_INTERRUPTED ? Optional.of(PARTNER_DOWN) : Optional.empty();
    }

    /**
     * UPDDONE arrived: the partner sent everything we asked for. RECOVER waits until MCLT after the time it may have
     * missed updates from (§9.6), unless both servers are new (the partner recovering too); POTENTIAL-CONFLICT ends
     * in CONFLICT-DONE for the primary and NORMAL for the secondary (§9.9).
     */
    public static Optional<FailoverState> onUpdateDone(
            FailoverState local,
            boolean primary,
            FailoverState partner,
            Instant recoverSince,
            Duration mclt,
            Instant now) {
        if (local == RECOVER) {
            if (partner == RECOVER || partner == RECOVER_DONE || partner == RECOVER_WAIT) {
                return Optional.of(RECOVER_DONE);
            }
            return Optional.of(now.isBefore(recoverSince.plus(mclt)) ? RECOVER_WAIT : RECOVER_DONE);
        }
        if (local == POTENTIAL_CONFLICT) {
            return Optional.of(primary ? CONFLICT_DONE : NORMAL);
        }
        return Optional.empty();
    }

    /** The RECOVER-WAIT timer ran out. */
    public static Optional<FailoverState> onRecoverWaitExpired(FailoverState local) {
        return local == RECOVER_WAIT ? Optional.of(RECOVER_DONE) : Optional.empty();
    }

    /** Planned maintenance: this server hands over to the partner (which goes PARTNER-DOWN on our SHUTDOWN). */
    public static Optional<FailoverState> onMaintenanceStart(FailoverState local) {
        return local == NORMAL ? Optional.of(SHUTDOWN) : Optional.empty();
    }

    /** Maintenance over: rejoin through RECOVER, taking the partner's updates (§9.13: SHUTDOWN is left by restart). */
    public static Optional<FailoverState> onMaintenanceEnd(FailoverState local) {
        return local == SHUTDOWN ? Optional.of(RECOVER) : Optional.empty();
    }

    /**
     * This server cannot serve (its lease-services, gateways, Kafka or PostgreSQL failed): in a state where it serves
     * and the partner can take over, it goes PAUSED, on which the partner serves everything (§9.4: NORMAL goes
     * COMMUNICATIONS-INTERRUPTED) as it would if this whole server had died. Elsewhere nothing changes: in
     * PARTNER-DOWN the partner cannot help, and the other states do not serve new clients anyway.
     */
    public static Optional<FailoverState> onDataPathLost(FailoverState local, FailoverState partner) {
        if (partner == CONFLICT_DONE) {
            // The partner waits for our NORMAL to end its conflict resolution; PAUSED there has no rule (ISC dhcpd
            // exits on it). Pause once it is NORMAL.
            return Optional.empty();
        }
        return local == NORMAL || local == COMMUNICATIONS_INTERRUPTED ? Optional.of(PAUSED) : Optional.empty();
    }

    /**
     * This server can serve again. PAUSED is left as after a restart (§9.3.2): as COMMUNICATIONS-INTERRUPTED, then
     * by the partner's state when in contact (NORMAL again when it is COMMUNICATIONS-INTERRUPTED or NORMAL). A partner
     * that took over (PARTNER-DOWN) meanwhile is recovered from, as after SHUTDOWN (§9.13): RECOVER. Out of contact
     * when the partner may have taken over by its safe period, it stays PAUSED until contact tells.
     */
    public static Optional<FailoverState> onDataPathBack(
            FailoverState local,
            boolean partnerTookOver,
            boolean communicating,
            FailoverState partner,
            boolean partnerMayHaveTakenOver) {
        if (local != PAUSED) {
            return Optional.empty();
        }
        if (partnerTookOver || (communicating && partner == PARTNER_DOWN)) {
            return Optional.of(RECOVER);
        }
        if (!communicating && partnerMayHaveTakenOver) {
            // Out of contact for longer than the partner's safe period: it may be PARTNER-DOWN and allocating from
            // our pool, so serving from it as COMMUNICATIONS-INTERRUPTED could bind an address twice. Wait for contact.
            return Optional.empty();
        }
        return Optional.of(
                communicating
                        ? onPartnerState(COMMUNICATIONS_INTERRUPTED, partner).orElse(COMMUNICATIONS_INTERRUPTED)
                        : COMMUNICATIONS_INTERRUPTED);
    }
}

package dev.tandem.coordinator.domain;

import static dev.tandem.protocol.failover.FailoverState.CONFLICT_DONE;
import static dev.tandem.protocol.failover.FailoverState.RECOVER_WAIT;

import dev.tandem.protocol.failover.FailoverState;
import java.util.Optional;

/**
 * What a relationship that does not serve (yet) waits for before it moves on: the states that end on an event rather
 * than on their own (RECOVER, RECOVER-DONE, POTENTIAL-CONFLICT, CONFLICT-DONE), and MCLT, which ends on a timer (here in
 * RECOVER-WAIT, or at the partner). The runner reports it, and when a wait other than MCLT lasts past the stall bound
 * logs it, counts it, and does what can unstick it ({@link #remedy}): a pair never sits silently in a state that
 * serves nobody. A STATE is not sent again: TCP does not lose one on a live connection, and a repeated one would
 * restart a partner's conflict resolution (NORMAL takes CONFLICT-DONE as a new conflict).
 */
public enum WaitingFor {
    /** No TCP connection with the partner: nothing to do but dial, which goes on. */
    CONNECTION("a connection to the partner", Remedy.NONE),
    /** Connected, but the partner's real state is not known yet (it is in STARTUP, or its STATE has not come). */
    PARTNER_STATE("the partner's state (it has not reported one outside its STARTUP)", Remedy.NONE),
    /** Nothing has been asked of the partner: RECOVER asks for all its bindings on contact. */
    NOT_ASKED("a request for the partner's bindings, which was never sent", Remedy.ASK_AGAIN),
    /** Our UPDREQ/UPDREQALL is unanswered: the partner has not sent its UPDDONE. */
    UPDATE_DONE("the partner's UPDDONE: it has not finished sending the bindings asked for", Remedy.ASK_AGAIN),
    /** The partner's UPDDONE came; some of its updates before it are not applied here yet. */
    APPLYING("this server's lease-service to apply the partner's updates sent before its UPDDONE", Remedy.NONE),
    /** MCLT after recovery began: RECOVER-WAIT here, or the partner's while this server is RECOVER-DONE. */
    MCLT("MCLT after recovery began (RECOVER-WAIT ends on its timer, here or at the partner)", Remedy.NONE),
    /** RECOVER-DONE moves on when the partner reports NORMAL or RECOVER-DONE; CONFLICT-DONE when it reports NORMAL. */
    PARTNER_MOVES("the partner to move on (to NORMAL, or RECOVER-DONE)", Remedy.NONE),
    /** The secondary in POTENTIAL-CONFLICT waits for the primary's resolution (CONFLICT-DONE, §9.9). */
    PRIMARY_RESOLVES("the primary to finish the conflict resolution (CONFLICT-DONE)", Remedy.NONE);

    /** What the runner does about a wait that lasted past the stall bound. */
    public enum Remedy {
        /** Only report: nothing here can make it come sooner. */
        NONE,
        /** Ask the partner again for its updates (UPDREQALL or UPDREQ, as before). */
        ASK_AGAIN
    }

    private final String description;
    private final Remedy remedy;

    WaitingFor(String description, Remedy remedy) {
        this.description = description;
        this.remedy = remedy;
    }

    public String description() {
        return description;
    }

    public Remedy remedy() {
        return remedy;
    }

    /** Metric tag value. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * What a relationship in {@code state} waits for; empty in the states that serve, or that end by the operator
     * (SHUTDOWN, PARTNER-DOWN), by the data path (PAUSED) or by the safe period (COMMUNICATIONS-INTERRUPTED).
     *
     * @param connected a TCP connection with the partner is up (CONNECT/CONNECTACK done)
     * @param communicating the partner has reported its real state on it
     * @param asked our UPDREQ or UPDREQALL is outstanding
     * @param updateDone the partner's UPDDONE for it came, and updates before it are still being applied
     */
    public static Optional<WaitingFor> of(
            FailoverState state,
            boolean primary,
            boolean connected,
            boolean communicating,
            FailoverState partner,
            boolean asked,
            boolean updateDone) {
        WaitingFor link = !connected ? CONNECTION : !communicating ? PARTNER_STATE : null;
        WaitingFor updates = updateDone ? APPLYING : asked ? UPDATE_DONE : NOT_ASKED;
        return Optional.ofNullable(
                switch (state) {
                    case RECOVER -> link != null ? link : updates;
                    case RECOVER_WAIT -> MCLT;
                    case RECOVER_DONE -> link != null ? link : partner == RECOVER_WAIT ? MCLT : PARTNER_MOVES;
                    case CONFLICT_DONE -> link != null ? link : PARTNER_MOVES;
                    case POTENTIAL_CONFLICT -> link != null
                            ? link
                            : primary || partner == CONFLICT_DONE ? updates : PRIMARY_RESOLVES;
                    default -> null;
                });
    }
}

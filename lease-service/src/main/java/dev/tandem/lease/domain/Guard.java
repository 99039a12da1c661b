package dev.tandem.lease.domain;

import java.time.Instant;

/**
 * What failover allows an allocation to take (draft-ietf-dhc-failover-12 §5.2.2); {@link #STANDALONE} outside a
 * relationship.
 *
 * @param backupPool only free addresses of this owner (true: BACKUP, false: FREE); null: any
 * @param others whether the address may go to a client that does not hold it
 * @param onlyFree another client gets only FREE addresses (a released or expired one only after the partner acked)
 * @param reuseBefore PARTNER-DOWN: a released or expired address goes to another client only when its expiry and
 *     both potential expirations are before this (now - MCLT); null: no such rule
 * @param track whether changes get an update number for the partner
 * @param awaitAck a client takes back its own released or expired address only once the partner acknowledged that
 *     (so does every tracking guard)
 */
public record Guard(
        Boolean backupPool, boolean others, boolean onlyFree, Instant reuseBefore, boolean track, boolean awaitAck) {
    public static final Guard STANDALONE = new Guard(null, true, false, null, false, false);

    /** Under failover: changes go to the partner, and a released or expired address waits for its ack. */
    public static Guard failover(Boolean backupPool, boolean others, boolean onlyFree, Instant reuseBefore) {
        return new Guard(backupPool, others, onlyFree, reuseBefore, true, true);
    }

    /**
     * A scope that left its relationship (see V8__scope_departure.sql): within MCLT after, as PARTNER-DOWN before
     * MCLT has passed (its own free addresses, no released or expired one to another client); then until the
     * scope's lease time more has passed, as PARTNER-DOWN after MCLT; nothing for a partner, but what the partner
     * had not acknowledged still waits; then standalone.
     */
    public static Guard departed(Departed d, Instant now) {
        if (now.isBefore(d.leftAt().plus(d.mclt()))) {
            return new Guard(d.secondary(), true, true, null, false, true);
        }
        if (now.isBefore(d.until())) {
            return new Guard(null, true, false, now.minus(d.mclt()), false, true);
        }
        return STANDALONE;
    }
}

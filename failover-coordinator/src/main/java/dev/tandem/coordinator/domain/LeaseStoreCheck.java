package dev.tandem.coordinator.domain;

/**
 * Lost stable storage (draft-ietf-dhc-failover-12 §9.3.2): what the lease-service's naming of its database means for
 * the failover state kept with a database. The lease-service names it in answer to the runner's identify command at
 * startup, or unasked when it starts; only the answer carries an update number worth comparing (an announcement may
 * have been read before updates the runner saw since).
 *
 * @param verdict what the runner does
 * @param why for {@link Verdict#LOST}, what is wrong with the database, for the log; null otherwise
 */
public record LeaseStoreCheck(Verdict verdict, String why) {

    public enum Verdict {
        /** Not decided yet: the answer to the identify command, compared in full, is still to come. */
        WAIT,
        /** The state belongs to this database (or no database was recorded with it): it may be resumed. */
        SAME,
        /** Another database, or an older copy of the same: its bindings are lost, the server starts as a new one. */
        LOST
    }

    /**
     * @param kept the database the state was recorded with; null if none
     * @param keptSequence the highest binding-update number the state saw
     * @param checked whether the database was checked already since this runner started
     * @param answer whether this naming answers the runner's own identify command
     * @param named the database the lease-service names
     * @param sequence its latest binding-update number (0 if not given)
     */
    public static LeaseStoreCheck of(
            String kept, long keptSequence, boolean checked, boolean answer, String named, long sequence) {
        boolean same = named.equals(kept);
        if (!checked && !answer && (kept == null || same)) {
            return new LeaseStoreCheck(Verdict.WAIT, null);
        }
        boolean older = same && answer && !checked && sequence < keptSequence;
        if (kept == null || (same && !older)) {
            return new LeaseStoreCheck(Verdict.SAME, null);
        }
        return new LeaseStoreCheck(
                Verdict.LOST,
                older
                        ? "lease database " + kept + " is an older copy (its latest binding update is " + sequence
                                + ", this state saw " + keptSequence + ")"
                        : "the lease database is " + named + ", not " + kept + " that this state was recorded with");
    }
}

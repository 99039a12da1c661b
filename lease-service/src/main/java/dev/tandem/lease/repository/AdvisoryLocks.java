package dev.tandem.lease.repository;

/**
 * The lease database's advisory locks, transaction-scoped ({@code pg_advisory_xact_lock}): their keys in one place, so
 * that none collides with another. The values stay as they are: replicas of two versions share them during an upgrade.
 */
final class AdvisoryLocks {

    /** One lease-service replica at a time applies a configuration to the lease table ({@link PoolSync}). */
    static final long POOL_SYNC = 4711;

    /** One pool-balancing pass at a time ({@link BindingRepository#balance}). */
    static final long BALANCE = 0x7A4E_0001L;

    private AdvisoryLocks() {}

    /** The statement that takes the lock until the transaction ends. */
    static String take(long key) {
        return "SELECT pg_advisory_xact_lock(" + key + ")";
    }
}

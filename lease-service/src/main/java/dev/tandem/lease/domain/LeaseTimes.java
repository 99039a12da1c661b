package dev.tandem.lease.domain;

import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.ScopeConfig;

/** Lease, renewal (T1) and rebinding (T2) times granted to a client, in seconds. */
public record LeaseTimes(long lease, long renewal, long rebinding) {

    /**
     * RFC 2131 §4.3.1: the server may grant what the client asks (option 51) up to the scope's lease time. T1 and T2
     * keep the scope's proportions when the lease is shortened.
     */
    public static LeaseTimes grant(ScopeConfig scope, Long requested) {
        long lease = scope.leaseTime();
        if (requested != null && requested >= ConfigValidator.MIN_LEASE_TIME && requested < lease) {
            long shortened = requested;
            return new LeaseTimes(
                    shortened,
                    Math.max(1, scope.renewalTime() * shortened / lease),
                    Math.max(2, scope.rebindingTime() * shortened / lease));
        }
        return new LeaseTimes(lease, scope.renewalTime(), scope.rebindingTime());
    }

    /** The same proportions within at most {@code max} seconds of lease (the failover MCLT rule). */
    public LeaseTimes atMost(long max) {
        if (max >= lease) {
            return this;
        }
        long shortened = Math.max(1, max);
        return new LeaseTimes(
                shortened, Math.max(1, renewal * shortened / lease), Math.max(1, rebinding * shortened / lease));
    }
}

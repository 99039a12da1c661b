package dev.tandem.lease.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * A scope that left its relationship and is still served here: when it left and the settings of the relationship
 * it left, from which {@link Guard#departed} takes what an allocation may do (see V8__scope_departure.sql).
 */
public record Departed(boolean secondary, Instant leftAt, Duration mclt, Duration leaseTime) {
    public Instant until() {
        return leftAt.plus(mclt).plus(leaseTime);
    }
}

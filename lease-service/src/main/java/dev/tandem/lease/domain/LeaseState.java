package dev.tandem.lease.domain;

/** The state of one address in the lease table. */
public enum LeaseState {
    /** Never bound, or reclaimed: may be allocated. */
    FREE,
    /** Held for a client between OFFER and REQUEST (RFC 2131 §4.3.1), until the offer times out. */
    OFFERED,
    /** Bound to a client until it expires. */
    ACTIVE,
    /** Given back by the client (RFC 2131 §4.3.4); kept for the client's return until reused. */
    RELEASED,
    /** The lease ran out; kept for the client's return until reused. */
    EXPIRED,
    /** The client found the address in use (RFC 2131 §4.3.3); out of use for the probation period. */
    DECLINED;

    /** Whether a new client may be given this address, ignoring reservations. */
    public boolean reusable() {
        return this == FREE || this == RELEASED || this == EXPIRED;
    }
}

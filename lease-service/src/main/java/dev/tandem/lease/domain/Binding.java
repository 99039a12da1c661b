package dev.tandem.lease.domain;

import dev.tandem.protocol.net.Ipv4;
import java.time.Instant;

/** One row of the lease table as the domain sees it. */
public record Binding(Ipv4 address, LeaseState state, String clientKey, Instant expiresAt) {

    /** The client holds the address now: an offer or lease that has not run out. */
    public boolean heldBy(String client, Instant now) {
        return client.equals(clientKey) && (state == LeaseState.OFFERED || state == LeaseState.ACTIVE) && !over(now);
    }

    /** The address is still associated with this client, held or not reused since (RFC 2131 §4.3.1 step 2). */
    public boolean remembers(String client) {
        return client.equals(clientKey)
                && (state == LeaseState.OFFERED
                        || state == LeaseState.ACTIVE
                        || state == LeaseState.RELEASED
                        || state == LeaseState.EXPIRED);
    }

    /** Another client holds the address now. */
    public boolean heldByOther(String client, Instant now) {
        return !client.equals(clientKey)
                && (state == LeaseState.OFFERED || state == LeaseState.ACTIVE || state == LeaseState.DECLINED)
                && !over(now);
    }

    /** May be given to the client: reusable, or a held or declined state that has run out. */
    public boolean availableTo(String client, Instant now) {
        return remembers(client) || state.reusable() || over(now);
    }

    private boolean over(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}

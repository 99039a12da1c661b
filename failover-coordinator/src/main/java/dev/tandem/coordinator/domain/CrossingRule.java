package dev.tandem.coordinator.domain;

import dev.tandem.protocol.failover.BindingStatus;

/**
 * Two binding updates of one address that cross: each server sent its own before it saw the other's. Both sides must
 * settle the crossing alike, or each takes the other's and the two views swap (both hold a free address as their own).
 * Statuses are those of the failover wire (draft-ietf-dhc-failover-12 §12.4); ours is as the lease-service names it.
 */
public final class CrossingRule {

    private CrossingRule() {}

    /**
     * Between Tandem servers: whether our unacknowledged update stands against the partner's, which is then refused.
     * Only a partner's owner update (FREE or BACKUP) can cross ours. Ours ends a binding (EXPIRED, RELEASED): the partner
     * applies it as FREE, and so do we once it is acknowledged, so the address is the primary's on both whoever sent
     * what. Two owner updates that disagree: the primary's stands, as in ISC dhcpd's rule for updates that are not
     * ACTIVE.
     */
    public static boolean oursStands(boolean primary, BindingStatus theirs, String ours) {
        if (!isPool(theirs.name())) {
            return false;
        }
        boolean ending = "EXPIRED".equals(ours) || "RELEASED".equals(ours);
        return ending || (primary && isPool(ours) && !ours.equals(theirs.name()));
    }

    /**
     * ISC dhcpd's rule for two updates of one address that are not ACTIVE and differ ({@code failover_lease_is_better}):
     * the primary's stands. Whether ISC, our partner, takes our update over its own that crossed it.
     */
    public static boolean iscTakesOurs(boolean primary, BindingStatus theirs, String ours) {
        return primary && theirs != BindingStatus.ACTIVE && !"ACTIVE".equals(ours) && !ours.equals(theirs.name());
    }

    private static boolean isPool(String status) {
        return "FREE".equals(status) || "BACKUP".equals(status);
    }
}

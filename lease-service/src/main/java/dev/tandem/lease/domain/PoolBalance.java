package dev.tandem.lease.domain;

/**
 * Pool balancing (draft-ietf-dhc-failover-12 §5.4, done the way ISC dhcpd does it): the free addresses of a scope are
 * split between the two servers, FREE (the primary's) and BACKUP (the secondary's), by the relationship's share. When
 * clients drift the split, each server in NORMAL gives away only what it owns beyond its share, so no address is ever
 * taken from a server that might be allocating it: the primary turns FREE into BACKUP, the secondary BACKUP into FREE,
 * each move a binding update the partner applies.
 */
public final class PoolBalance {

    private PoolBalance() {}

    /**
     * How many of its own free addresses a server gives its partner now.
     *
     * @param primary whether this server is the primary (owns FREE) or the secondary (owns BACKUP)
     * @param free free addresses owned by the primary
     * @param backup free addresses owned by the secondary
     * @param secondaryPercent the secondary's share of the free addresses (0..100)
     * @param tolerancePercent a surplus below this share of all free addresses is left alone (at least one address)
     */
    public static long toGive(boolean primary, long free, long backup, int secondaryPercent, int tolerancePercent) {
        if (free < 0 || backup < 0 || secondaryPercent < 0 || secondaryPercent > 100 || tolerancePercent < 0) {
            throw new IllegalArgumentException("counts and percentages must be in range");
        }
        long total = free + backup;
        long secondaryShare = (total * secondaryPercent + 50) / 100;
        long surplus = primary ? free - (total - secondaryShare) : backup - secondaryShare;
        long tolerance = Math.max(1, total * tolerancePercent / 100);
        return surplus >= tolerance ? surplus : 0;
    }
}

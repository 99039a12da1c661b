package dev.tandem.protocol.failover;

import java.time.Duration;
import java.time.Instant;

/**
 * What a server may do for DHCP clients in each failover state (draft-ietf-dhc-failover-12 §9, figure 9.2-1): which
 * clients it answers (the gateway) and which free addresses it may allocate (the lease-service). Pure functions.
 */
public final class ServiceRules {

    private ServiceRules() {}

    /** The DHCP messages the rules tell apart. */
    public enum Kind {
        DISCOVER,
        /** REQUEST with a server identifier: the client chose an offer. */
        REQUEST_SELECTING,
        /** REQUEST with a requested address and no ciaddr: a client that rebooted. */
        REQUEST_INIT_REBOOT,
        /** REQUEST with ciaddr: RENEWING or REBINDING. */
        REQUEST_RENEWING,
        RELEASE,
        DECLINE,
        INFORM
    }

    /** Whose free addresses the server may allocate. */
    public enum Pool {
        NONE,
        /** Its own: the primary FREE, the secondary BACKUP. */
        OWN,
        /** Its own and the partner's (PARTNER-DOWN, MCLT after entering it, §5.2.2). */
        ALL
    }

    /**
     * Whether this server answers the message.
     *
     * <ul>
     *   <li>NORMAL and CONFLICT-DONE: RENEWING/REBINDING always (§5.5); messages naming a server (selecting REQUEST,
     *       RELEASE, DECLINE) go on, the lease-service checks the identifier; DISCOVER, INIT-REBOOT and INFORM only
     *       for clients whose RFC 3074 bucket this server owns, or, in load-balance mode, whose secs exceed
     *       load-balance-max-seconds (0 turns the bypass off).
     *   <li>COMMUNICATIONS-INTERRUPTED, PARTNER-DOWN, RESOLUTION-INTERRUPTED: everything.
     *   <li>RECOVER-DONE: RENEWING/REBINDING only (§9.7).
     *   <li>STARTUP, RECOVER, RECOVER-WAIT, POTENTIAL-CONFLICT, PAUSED, SHUTDOWN: nothing.
     * </ul>
     */
    public static boolean answers(
            FailoverState state,
            boolean primary,
            boolean loadBalance,
            LoadBalance.Buckets buckets,
            Kind kind,
            int bucket,
            int secs,
            int loadBalanceMaxSeconds) {
        return answers(
                state,
                FailoverState.UNKNOWN,
                false,
                primary,
                loadBalance,
                buckets,
                kind,
                bucket,
                secs,
                loadBalanceMaxSeconds);
    }

    /**
     * As above, for a server that may be handing over for maintenance: in SHUTDOWN with its drain time not over it
     * serves as in NORMAL until the partner is PARTNER-DOWN (so no client finds nobody answering), then finishes only
     * what is in flight: REQUESTs naming it, renewals, releases and declines.
     */
    public static boolean answers(
            FailoverState state,
            FailoverState partner,
            boolean draining,
            boolean primary,
            boolean loadBalance,
            LoadBalance.Buckets buckets,
            Kind kind,
            int bucket,
            int secs,
            int loadBalanceMaxSeconds) {
        if (state == FailoverState.SHUTDOWN && draining) {
            if (partner != FailoverState.PARTNER_DOWN) {
                state = FailoverState.NORMAL;
            } else {
                return kind == Kind.REQUEST_SELECTING
                        || kind == Kind.REQUEST_RENEWING
                        || kind == Kind.RELEASE
                        || kind == Kind.DECLINE;
            }
        }
        switch (state) {
            case COMMUNICATIONS_INTERRUPTED, PARTNER_DOWN, RESOLUTION_INTERRUPTED:
                return true;
            case RECOVER_DONE:
                return kind == Kind.REQUEST_RENEWING;
            case NORMAL, CONFLICT_DONE:
                switch (kind) {
                    case REQUEST_RENEWING, REQUEST_SELECTING, RELEASE, DECLINE:
                        return true;
                    default:
                        if (loadBalance
                                && loadBalanceMaxSeconds > 0
                                && LoadBalance.effectiveSecs(secs) > loadBalanceMaxSeconds) {
                            return true;
                        }
                        return buckets.primaryServes(bucket) == primary;
                }
            default:
                return false;
        }
    }

    /** Which free addresses may be allocated now. */
    public static Pool pool(FailoverState state, Instant since, Duration mclt, Instant now) {
        return pool(state, FailoverState.UNKNOWN, false, since, mclt, now);
    }

    /** As above; a server handing over allocates from its own pool until the partner is PARTNER-DOWN. */
    public static Pool pool(
            FailoverState state, FailoverState partner, boolean draining, Instant since, Duration mclt, Instant now) {
        if (state == FailoverState.SHUTDOWN && draining) {
            return partner == FailoverState.PARTNER_DOWN ? Pool.NONE : Pool.OWN;
        }
        switch (state) {
            case NORMAL, CONFLICT_DONE, COMMUNICATIONS_INTERRUPTED, RESOLUTION_INTERRUPTED:
                return Pool.OWN;
            case PARTNER_DOWN:
                // §5.2.2 / §9.5: the partner's free addresses only MCLT after entering PARTNER-DOWN.
                return since != null && !now.isBefore(since.plus(mclt)) ? Pool.ALL : Pool.OWN;
            default:
                return Pool.NONE;
        }
    }

    /** Whether existing leases may be extended (RENEWING/REBINDING answered). */
    public static boolean renews(FailoverState state) {
        return renews(state, false);
    }

    /** As above; a server handing over finishes what is in flight until its drain time is over. */
    public static boolean renews(FailoverState state, boolean draining) {
        if (state == FailoverState.SHUTDOWN && draining) {
            return true;
        }
        return switch (state) {
            case NORMAL,
                    CONFLICT_DONE,
                    COMMUNICATIONS_INTERRUPTED,
                    RESOLUTION_INTERRUPTED,
                    PARTNER_DOWN,
                    RECOVER_DONE -> true;
            default -> false;
        };
    }

    /**
     * The lease time to grant (§5.2.1): never beyond what the partner acknowledged plus MCLT, so a reply never waits
     * for the partner. A new lease therefore gets MCLT; a renewal after the partner acked gets the full time.
     *
     * @param acknowledged the potential expiration the partner holds (null: none)
     */
    public static long leaseTime(long desired, Instant acknowledged, Duration mclt, Instant now) {
        long ackedRemaining = acknowledged == null
                ? 0
                : Math.max(0, Duration.between(now, acknowledged).toSeconds());
        return Math.max(1, Math.min(desired, ackedRemaining + mclt.toSeconds()));
    }

    /** The potential expiration to send the partner: now + desired + half the granted time (§5.2.1 recipe). */
    public static Instant potentialExpiration(long desired, long granted, Instant now) {
        return now.plusSeconds(desired + granted / 2);
    }
}

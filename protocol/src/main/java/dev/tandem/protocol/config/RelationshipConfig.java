package dev.tandem.protocol.config;

import dev.tandem.protocol.failover.LoadBalance;
import dev.tandem.protocol.net.Ipv4;
import java.time.Duration;
import java.util.List;

/**
 * A validated failover relationship as one of its servers sees it.
 *
 * @param percent load-balance: the primary's share (0..100); hot-standby: the standby's reserve of free addresses
 * @param safePeriod automatic PARTNER-DOWN after this long in COMMUNICATIONS-INTERRUPTED; zero: never
 * @param scopes ids of the scopes in the relationship
 * @param tls whether the failover connection runs over mutually authenticated TLS
 */
public record RelationshipConfig(
        String name,
        Role role,
        Mode mode,
        Ipv4 localAddress,
        int port,
        Ipv4 peerAddress,
        int peerPort,
        Duration mclt,
        int percent,
        Duration safePeriod,
        Duration maxResponseDelay,
        int maxUnackedUpdates,
        int loadBalanceMaxSeconds,
        String sharedSecret,
        List<String> scopes,
        boolean tls) {

    public static final int DEFAULT_PORT = 647;
    public static final long DEFAULT_MCLT = 3600;
    public static final int DEFAULT_LOAD_BALANCE_PERCENT = 50;
    public static final int DEFAULT_RESERVE_PERCENT = 5;
    public static final long DEFAULT_MAX_RESPONSE_DELAY = 60;
    public static final int DEFAULT_MAX_UNACKED_UPDATES = 100;
    public static final int DEFAULT_LOAD_BALANCE_MAX_SECONDS = 3;

    /** This server's role in the relationship. */
    public enum Role {
        PRIMARY,
        SECONDARY
    }

    /** How the two servers divide the work. */
    public enum Mode {
        LOAD_BALANCE,
        HOT_STANDBY
    }

    public boolean primary() {
        return role == Role.PRIMARY;
    }

    /**
     * The buckets the primary answers in NORMAL (ISC polarity): the load-balance percentage of them, or all of them in
     * hot-standby, where only the active server answers.
     */
    public LoadBalance.Buckets hashBuckets() {
        return mode == Mode.HOT_STANDBY ? LoadBalance.Buckets.split(256) : LoadBalance.Buckets.primaryPercent(percent);
    }

    /** The secondary's share of the free addresses, percent. */
    public int secondaryPoolPercent() {
        return mode == Mode.HOT_STANDBY ? percent : 100 - percent;
    }

    /**
     * Whether the index-th address of a scope's pool starts as BACKUP (the secondary's) rather than FREE (the
     * primary's). The secondary's share is spread evenly through the pool, the same on both servers.
     */
    public boolean startsAsBackup(long index) {
        long share = secondaryPoolPercent();
        return (index + 1) * share / 100 > index * share / 100;
    }

    @Override
    public String toString() {
        return "RelationshipConfig[" + name + ", " + role + ", " + mode + ", peer " + peerAddress + ":" + peerPort
                + ", mclt " + mclt.toSeconds() + "s" + (sharedSecret == null ? "" : ", secret set") + "]";
    }
}

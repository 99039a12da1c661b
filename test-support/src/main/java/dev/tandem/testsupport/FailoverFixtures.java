package dev.tandem.testsupport;

import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.failover.LoadBalance;
import java.time.Instant;
import java.util.List;

/** Failover records for tests: a relationship with the defaults, and a published state of relationship "fo". */
public final class FailoverFixtures {

    private FailoverFixtures() {}

    /** A load-balance relationship with every optional setting left to its default. */
    public static ServerConfig.Relationship relationship(
            String name,
            String role,
            String localAddress,
            int port,
            String peerAddress,
            int peerPort,
            long mclt,
            List<String> scopes) {
        return new ServerConfig.Relationship(
                name,
                role,
                "load-balance",
                localAddress,
                port,
                peerAddress,
                peerPort,
                mclt,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                scopes);
    }

    /** What a coordinator publishes for relationship "fo": MCLT 60 s, load-balance-max-seconds 3, in contact before. */
    public static FailoverStatus status(
            String server,
            String role,
            String mode,
            FailoverState state,
            Instant since,
            FailoverState partner,
            int split,
            List<String> scopes,
            String leaseStore,
            long storeSequence) {
        return new FailoverStatus(
                FailoverStatus.VERSION,
                server,
                "fo",
                role,
                mode,
                state.label(),
                since,
                partner.label(),
                null,
                partner != FailoverState.UNKNOWN,
                60,
                LoadBalance.Buckets.split(split).hex(),
                3,
                scopes,
                true,
                Instant.now(),
                null,
                leaseStore,
                storeSequence,
                null);
    }

    /** The status as published at another time and with other joining scopes. */
    public static FailoverStatus republished(FailoverStatus s, Instant updatedAt, List<String> joining) {
        return new FailoverStatus(
                s.version(),
                s.server(),
                s.relationship(),
                s.role(),
                s.mode(),
                s.state(),
                s.since(),
                s.partnerState(),
                s.partnerSince(),
                s.communicating(),
                s.mclt(),
                s.hashBuckets(),
                s.loadBalanceMaxSeconds(),
                s.scopes(),
                s.everCommunicated(),
                updatedAt,
                s.drainUntil(),
                s.leaseStore(),
                s.storeSequence(),
                joining);
    }
}

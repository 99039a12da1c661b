package dev.tandem.lease.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Optional;

/** Settings of the lease-service ({@code tandem.*}). Scopes come from the config topic, not from here. */
@ConfigMapping(prefix = "tandem")
public interface LeaseServiceConfig {

    /** The server this lease-service belongs to. */
    @Pattern(regexp = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
    String server();

    Lease lease();

    interface Lease {
        /** Requests older than this when taken from Kafka are dropped: the gateway stopped waiting for them. */
        @WithDefault("3s")
        Duration maxRequestAge();

        /** How often expired offers, leases and probations are ended. */
        @WithDefault("1s")
        Duration reclaimInterval();

        /** How many expired offers, leases and probations one reclaim pass ends. */
        @WithDefault("1000")
        @Min(1)
        @Max(100000)
        int reclaimBatch();

        /** A surplus of free addresses below this share of a scope's free addresses is left alone (percent). */
        @WithDefault("15")
        @Min(0)
        @Max(100)
        int poolMisbalancePercent();

        /** How many outbox events one publish pass sends. */
        @WithDefault("500")
        @Min(1)
        @Max(10000)
        int publishBatch();

        /**
         * After how many published events the lease-service vacuums the outbox itself (checked every 5 s); 0: never,
         * leaving it to autovacuum.
         */
        @WithDefault("2000")
        @Min(0)
        long outboxVacuumAfter();

        /**
         * A failover state the coordinator published longer ago than this is not acted on (nothing is allocated in its
         * scopes): the coordinator republishes every second, so an older one means this replica's state consumer lags
         * or the coordinator is gone, and the state may have changed (PARTNER-DOWN left, say) since. A coordinator
         * gone has lost the link too, so the partner may go PARTNER-DOWN: see {@link #partnerDownGuard}.
         */
        @WithDefault("5s")
        Duration maxFailoverStateAge();

        /**
         * In PARTNER-DOWN the partner's free addresses are taken this much later than MCLT after entering it (§5.2.2
         * asks MCLT). The partner, if only its coordinator died, went on allocating until its state was older than
         * its max-failover-state-age, and a reply it decided then reached its client up to its max-request-age later:
         * its last leases may end that much after MCLT from the moment it lost the link. At least the partner's
         * max-failover-state-age plus max-request-age, plus the clock difference of the two servers.
         */
        @WithDefault("10s")
        Duration partnerDownGuard();
    }

    Ddns ddns();

    /** Dynamic DNS (docs/ddns.md): the scopes say what to update; this says whether and with which keys. */
    interface Ddns {
        /** Whether this lease-service updates DNS for the scopes that have ddns settings. */
        @WithDefault("false")
        boolean enabled();

        /**
         * TSIG keys in BIND's syntax ({@code key "name" { algorithm hmac-sha256; secret "..."; };}, as
         * {@code tsig-keygen} writes them), named by the scopes' {@code ddns.key}.
         */
        Optional<String> keyFile();

        /** How long one update waits for the name server's answer. */
        @WithDefault("3s")
        Duration timeout();

        /** The longest wait between two attempts of a failed update (attempts start 1 s apart and double). */
        @WithDefault("60s")
        Duration maxRetryInterval();
    }
}

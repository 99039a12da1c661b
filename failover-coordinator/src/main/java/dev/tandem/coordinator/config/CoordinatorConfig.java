package dev.tandem.coordinator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;

/** Settings of the coordinator ({@code tandem.*}). Relationships come from the config topic, not from here. */
@ConfigMapping(prefix = "tandem")
public interface CoordinatorConfig {

    /** The server this coordinator belongs to. */
    @Pattern(regexp = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
    String server();

    /**
     * The credential a caller of the coordinator's commands (partner-down, maintenance) presents as {@code
     * Authorization: Bearer <token>}: the admin API's, from a Secret. Without one, commands are refused; reads (state)
     * stay open.
     */
    java.util.Optional<String> commandToken();

    /**
     * Whether the state reads ({@code GET /api/v1/relationships...}) are open to whoever reaches the HTTP port; false:
     * they need the command credential too (the admin API presents it on every call).
     */
    @WithDefault("true")
    boolean openReads();

    /**
     * The key that opens the relationships' shared secrets, which come sealed on the configuration topic (base64 of 32
     * bytes): the admin API's {@code tandem.admin.secret-key}. Without it, a relationship with a secret is refused.
     */
    java.util.Optional<String> configKey();

    Failover failover();

    interface Failover {
        /** How long STARTUP waits for the partner before resuming the previous state (draft §9.3; ISC: 15 s). */
        @WithDefault("15s")
        Duration startupTime();

        /** How often to dial the partner while there is no connection (ISC redials after 5 s). */
        @WithDefault("5s")
        Duration reconnectInterval();

        /** How long a new connection may take to complete CONNECT/CONNECTACK (ISC: 15 s). */
        @WithDefault("15s")
        Duration handshakeTimeout();

        /** Largest difference between the partner's clock and ours at CONNECT (draft §7.8.2; ISC: 60 s). */
        @WithDefault("60s")
        Duration maxClockSkew();

        /** Key and trust material for relationships with {@code tls: true} (draft §11.2, mutual TLS). */
        Tls tls();

        /** The vendor-class-identifier this server sends (option 28). */
        @WithDefault("tandem-0.1")
        String vendorClass();

        /**
         * Maintenance handover: how long this server, in SHUTDOWN, still finishes exchanges in flight (offers taken
         * up, renewals) while the partner in PARTNER-DOWN serves new clients.
         */
        @WithDefault("30s")
        Duration maintenanceDrain();

        /**
         * Listen on (and dial from) this address instead of each relationship's localAddress: {@code 0.0.0.0} behind a
         * Kubernetes Service, where the partner reaches this pod through an address that is not the pod's own. A
         * connection is then accepted from any source address if it proves itself with the relationship's shared
         * secret (HMAC) or TLS; without either, only the partner's address may connect, as always.
         */
        java.util.Optional<String> listenAddress();

        /**
         * How often, in NORMAL, the lease-service is asked to give the partner this server's surplus of free addresses
         * (pool balancing, draft §5.4); entering NORMAL and the partner's POOLREQ ask at once. 0 turns the timer off.
         */
        @WithDefault("60s")
        Duration poolBalanceInterval();

        /**
         * How long one attempt of the lease-service at making a partner's update durable may take; then it is asked
         * again, until the update is durable or the connection ends.
         */
        @WithDefault("10s")
        Duration updateTimeout();

        /**
         * How often, while connected with nothing queued or in flight, the lease-service is asked to send again what
         * the partner has not acknowledged: with nothing outstanding here, such an update or its acknowledgement was
         * lost between the services (a failed write to the bus, say). 0 turns the check off.
         */
        @WithDefault("30s")
        Duration unackedRecheckInterval();

        /**
         * How long a state that serves nobody (RECOVER, RECOVER-DONE, POTENTIAL-CONFLICT, CONFLICT-DONE) may wait
         * without progress before the wait counts as stalled: it is logged with what is missing, counted, and acted on
         * (our state sent again, the partner asked again for its bindings) every such period while it lasts. 0 turns
         * the check off.
         */
        @WithDefault("60s")
        Duration stallAfter();

        /**
         * How long an update of ours may stay unanswered after the partner answered one we sent later: by then the
         * partner has lost it (a broken peer), and its slot of the window, and any partner update that crossed it, would
         * wait as long as the connection lasts. The connection is ended; the next one sends it again. A partner that
         * answers nothing (its lease-service down) is left to its own data path. Longer than a partner's lease-service
         * takes to come back or hand its partitions over (a Kafka consumer group's session timeout and rebalance), during
         * which its answers of some addresses lag behind others. 0 turns the check off.
         */
        @WithDefault("120s")
        Duration unansweredAfter();

        /** Fate-sharing with the services that serve: see {@link DataPath}. */
        DataPath dataPath();
    }

    /**
     * This server hands its share over to the partner (PAUSED) when its lease-services or gateways fall silent or
     * report that they cannot serve, and takes it back when they can again.
     */
    interface DataPath {
        /** Off only where no lease-service or gateway runs with the coordinator (a lab of coordinators alone). */
        @WithDefault("true")
        boolean enabled();

        /** Silence after which an instance counts as gone (the services send a heartbeat every 500 ms). */
        @WithDefault("1500ms")
        Duration timeout();

        /** How often the heartbeats are judged. */
        @WithDefault("100ms")
        Duration checkInterval();

        /** After start, how long the absence of any heartbeat is not held against the server (services starting). */
        @WithDefault("10s")
        Duration startupGrace();

        /**
         * How long the path must be up without a break before the server takes its share back; longer than the
         * timeout, so that heartbeats read late all at once cannot bring it back.
         */
        @WithDefault("2s")
        Duration stableFor();

        /**
         * A lease-service whose newest failover state is older than this when it sends its heartbeat (its state
         * consumer lags or cannot read) counts as not serving. Below the lease-services' max-failover-state-age (5 s),
         * after which they allocate nothing in the relationships' scopes, so the partner takes over first.
         */
        @WithDefault("3s")
        Duration stateLag();

        /** A gateway silent this long is taken to be decommissioned and no longer keeps the server paused. */
        @WithDefault("10m")
        Duration forgetAfter();
    }

    /** PKCS#12 stores; the partner must present a certificate the trust store accepts, and so must we. */
    interface Tls {
        /** This server's certificate and key. */
        java.util.Optional<String> keyStore();

        java.util.Optional<String> keyStorePassword();

        /** The certificates (or CA) of partners this server accepts. */
        java.util.Optional<String> trustStore();

        java.util.Optional<String> trustStorePassword();
    }
}

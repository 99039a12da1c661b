package dev.tandem.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Optional;

/** Settings of the packet-gateway ({@code tandem.*}). */
@ConfigMapping(prefix = "tandem")
public interface GatewayConfig {

    /** The server this gateway belongs to. */
    @Pattern(regexp = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
    String server();

    Gateway gateway();

    interface Gateway {
        /** Address of the DHCP socket. 0.0.0.0 receives broadcasts of directly attached clients too. */
        @WithDefault("0.0.0.0")
        String listenAddress();

        @WithDefault("67")
        @Min(1)
        @Max(65535)
        int listenPort();

        /** Port replies to relays go to (RFC 2131 §4.1: the server port, 67). */
        @WithDefault("67")
        @Min(1)
        @Max(65535)
        int relayPort();

        /** Subnet of the directly attached segment (CIDR), for clients that reach the socket without a relay. */
        Optional<String> directSubnet();

        /**
         * The address this gateway puts in option 54 when it differs from the server's configured identifier (a
         * gateway on a directly attached segment, say). Requests naming it count as naming this server.
         */
        Optional<String> serverIdentifier();

        /** Destination of broadcast replies to directly attached clients. */
        @WithDefault("255.255.255.255")
        String broadcastAddress();

        /** How long to wait for the lease-service before dropping the exchange (the client retransmits). */
        @WithDefault("3s")
        Duration requestTimeout();

        /**
         * This gateway's name in its heartbeats, which must survive its restarts: the coordinator takes a gateway it
         * heard and no longer hears as failed. Default: the host name and the DHCP address and port.
         */
        Optional<String> instance();

        /** Bounded hand-off: exchanges waiting for the lease-service beyond this are dropped and counted. */
        @WithDefault("4096")
        @Min(1)
        int maxInFlight();
    }
}

package dev.tandem.protocol.bus;

import java.time.Instant;

/**
 * A heartbeat of one service instance on a server's data path (schema {@code service-health.v2}; v1 lacks {@code stateAt}), published every
 * heartbeat interval on {@link Topics#serviceHealth}. The server's coordinator reads them: when its lease-services or
 * gateways fall silent or report that they cannot serve, it hands its share over to the partner.
 *
 * @param service {@link #LEASE_SERVICE} or {@link #GATEWAY}
 * @param instance names the instance, stable across its restarts where it can be (a gateway: its host and DHCP
 *     address)
 * @param ready whether the instance can serve now
 * @param reason why it cannot (null when ready)
 * @param at when the instance sent it (its own clock)
 * @param stateAt a lease-service's only: when the newest failover state it holds was published (the coordinator's
 *     clock), null when it holds none. A state consumer that lags while the process runs shows here: the coordinator
 *     takes such an instance as unable to serve, since it allocates nothing once the state it holds is too old.
 */
public record ServiceHealth(
        int version,
        String server,
        String service,
        String instance,
        boolean ready,
        String reason,
        Instant at,
        Instant stateAt) {

    public static final int VERSION = 2;
    public static final String LEASE_SERVICE = "lease-service";
    public static final String GATEWAY = "packet-gateway";

    public static ServiceHealth of(String server, String service, String instance, String reason, Instant at) {
        return new ServiceHealth(VERSION, server, service, instance, reason == null, reason, at, null);
    }

    /** This heartbeat, saying when the newest failover state the instance holds was published. */
    public ServiceHealth withStateAt(Instant published) {
        return new ServiceHealth(version, server, service, instance, ready, reason, at, published);
    }

    /** This machine's host name, the first part of an instance's default name. */
    public static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }

    /** The Kafka key. */
    public String key() {
        return service + "/" + instance;
    }
}

package dev.tandem.protocol.bus;

/** Kafka topic names. Per-server topics are namespaced by the server's name. */
public final class Topics {

    /** Public: every lease state change of every server, keyed by IP address. */
    public static final String LEASE_EVENTS = "tandem.lease-events";
    /** Compacted: the desired configuration of each server, keyed by server name. */
    public static final String CONFIG = "tandem.config";

    private Topics() {}

    /** Gateway to lease-service, keyed by client. */
    public static String leaseRequests(String server) {
        return "tandem." + server + ".lease-requests";
    }

    /** Lease-service to gateway. */
    public static String leaseReplies(String server) {
        return "tandem." + server + ".lease-replies";
    }
}

package dev.tandem.protocol.bus;

/** Kafka topic names. Per-server topics are namespaced by the server's name. */
public final class Topics {

    /** Public: every lease state change of every server, keyed by IP address. */
    public static final String LEASE_EVENTS = "tandem.lease-events";
    /** Compacted: the desired configuration of each server, keyed by server name. */
    public static final String CONFIG = "tandem.config";
    /** Compacted: address counts per server and scope, keyed by {@code <server>/<subnet>}. */
    public static final String SCOPE_STATISTICS = "tandem.scope-statistics";

    private Topics() {}

    /** Gateway to lease-service, keyed by client. */
    public static String leaseRequests(String server) {
        return "tandem." + server + ".lease-requests";
    }

    /** Compacted: per relationship, this server's failover state for its gateway and lease-service. */
    public static String failoverState(String server) {
        return "tandem." + server + ".failover-state";
    }

    /** Lease-service to coordinator, one partition: this server's lease changes to send to the partner. */
    public static String bindingUpdates(String server) {
        return "tandem." + server + ".binding-updates";
    }

    /** Coordinator to lease-service: the partner's acknowledgements of our binding updates. */
    public static String bindingAcks(String server) {
        return "tandem." + server + ".binding-acks";
    }

    /** Coordinator to lease-service (request-reply): the partner's binding updates to apply. */
    public static String partnerUpdates(String server) {
        return "tandem." + server + ".partner-updates";
    }

    /** Lease-service to coordinator: replies to {@link #partnerUpdates}, sent once the update is durable. */
    public static String partnerUpdateReplies(String server) {
        return "tandem." + server + ".partner-update-replies";
    }

    /** Coordinator to lease-service: resend requests (the partner asked for updates). */
    public static String failoverCommands(String server) {
        return "tandem." + server + ".failover-commands";
    }

    /** Lease-services and gateways to the coordinator: their heartbeats ({@link ServiceHealth}), keyed by instance. */
    public static String serviceHealth(String server) {
        return "tandem." + server + ".service-health";
    }

    /** Coordinator to lease-service (request-reply): an operator's lease operations ({@link LeaseCommand}). */
    public static String leaseCommands(String server) {
        return "tandem." + server + ".lease-commands";
    }

    /** Lease-service to coordinator: the outcome of each {@link #leaseCommands} request, once committed. */
    public static String leaseCommandReplies(String server) {
        return "tandem." + server + ".lease-command-replies";
    }

    /** Lease-service to gateway. */
    public static String leaseReplies(String server) {
        return "tandem." + server + ".lease-replies";
    }
}

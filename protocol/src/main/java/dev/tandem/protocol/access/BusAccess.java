package dev.tandem.protocol.access;

import dev.tandem.protocol.bus.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Who may do what on the bus: one Kafka principal per service of each server, each allowed only the topics it must read
 * or write and the consumer groups it uses (docs/security.md). The local stack makes its brokers' ACLs from this table
 * (deploy/local/kafka/Acls.java), the chart its Strimzi KafkaUsers, and {@code BusAccessTest} checks it against every
 * channel each service declares.
 *
 * <p>A gateway may not write a configuration or a failover command, a coordinator may not write lease replies, and no
 * principal of one server may touch another server's topics.
 */
public final class BusAccess {

    /** What a grant allows. Reading a topic or a group also lets Kafka describe it. */
    public enum Operation {
        READ,
        WRITE
    }

    /** What a grant is on. A group grant is a prefix: each instance makes groups of its own under it. */
    public enum Resource {
        TOPIC,
        GROUP_PREFIX
    }

    /** Principal {@code principal} may {@code operation} the {@code resource} named {@code name}. */
    public record Grant(String principal, Resource resource, String name, Operation operation) {}

    /** The admin API's principal: writes configurations, reads the servers' lease events and statistics. */
    public static final String ADMIN_API = "admin-api";
    /** The principal that copies the shared topics between two servers' own Kafka clusters (MirrorMaker 2's role). */
    public static final String MIRROR = "mirror";

    private BusAccess() {}

    /** A service's principal on one server: {@code <server>-gateway}, {@code <server>-lease-service}, ... */
    public static String principal(String server, String service) {
        return server + "-" + service;
    }

    /** Every grant for these servers and the shared principals (admin API, mirror). */
    public static List<Grant> grants(List<String> servers) {
        List<Grant> grants = new ArrayList<>();
        servers.forEach(s -> grants.addAll(forServer(s)));
        String[] shared = {Topics.CONFIG, Topics.LEASE_EVENTS, Topics.SCOPE_STATISTICS};
        grants.add(new Grant(ADMIN_API, Resource.TOPIC, Topics.CONFIG, Operation.WRITE));
        grants.add(new Grant(ADMIN_API, Resource.TOPIC, Topics.LEASE_EVENTS, Operation.READ));
        grants.add(new Grant(ADMIN_API, Resource.TOPIC, Topics.SCOPE_STATISTICS, Operation.READ));
        grants.add(new Grant(ADMIN_API, Resource.GROUP_PREFIX, "tandem-admin-api", Operation.READ));
        for (String topic : shared) {
            grants.add(new Grant(MIRROR, Resource.TOPIC, topic, Operation.READ));
            grants.add(new Grant(MIRROR, Resource.TOPIC, topic, Operation.WRITE));
        }
        grants.add(new Grant(MIRROR, Resource.GROUP_PREFIX, "tandem-mirror", Operation.READ));
        return List.copyOf(grants);
    }

    /** The grants of one server's gateway, lease-service and coordinator. */
    public static List<Grant> forServer(String server) {
        List<Grant> grants = new ArrayList<>();
        service(grants, server, "gateway")
                .reads(Topics.CONFIG, Topics.failoverState(server), Topics.leaseReplies(server))
                .writes(Topics.leaseRequests(server), Topics.serviceHealth(server));
        service(grants, server, "lease-service")
                .reads(
                        Topics.CONFIG,
                        Topics.failoverState(server),
                        Topics.leaseRequests(server),
                        Topics.bindingAcks(server),
                        Topics.partnerUpdates(server),
                        Topics.failoverCommands(server),
                        Topics.leaseCommands(server),
                        // its own events, for the DNS updates (docs/ddns.md)
                        Topics.LEASE_EVENTS)
                .writes(
                        Topics.leaseReplies(server),
                        Topics.LEASE_EVENTS,
                        Topics.SCOPE_STATISTICS,
                        Topics.bindingUpdates(server),
                        Topics.partnerUpdateReplies(server),
                        Topics.leaseCommandReplies(server),
                        Topics.serviceHealth(server));
        service(grants, server, "coordinator")
                .reads(
                        Topics.CONFIG,
                        Topics.failoverState(server),
                        Topics.bindingUpdates(server),
                        Topics.partnerUpdateReplies(server),
                        Topics.leaseCommandReplies(server),
                        Topics.serviceHealth(server))
                .writes(
                        Topics.failoverState(server),
                        Topics.bindingAcks(server),
                        Topics.failoverCommands(server),
                        Topics.partnerUpdates(server),
                        Topics.leaseCommands(server));
        return grants;
    }

    private static Granting service(List<Grant> grants, String server, String service) {
        String principal = principal(server, service);
        // the groups of a service are named tandem-<server>-<service>[-<purpose>][-<instance>]
        grants.add(new Grant(principal, Resource.GROUP_PREFIX, "tandem-" + principal, Operation.READ));
        return new Granting(grants, principal);
    }

    private record Granting(List<Grant> grants, String principal) {
        Granting reads(String... topics) {
            Stream.of(topics).forEach(t -> grants.add(new Grant(principal, Resource.TOPIC, t, Operation.READ)));
            return this;
        }

        Granting writes(String... topics) {
            Stream.of(topics).forEach(t -> grants.add(new Grant(principal, Resource.TOPIC, t, Operation.WRITE)));
            return this;
        }
    }
}

package dev.tandem.admin.domain;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.InvalidConfigException;
import dev.tandem.protocol.net.Subnet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Everything an operator has configured, across all servers: the input from which each server's configuration document
 * is assembled, and the rules that keep a network from breaking which no single server can check alone.
 */
public record Topology(List<Server> servers, List<Scope> scopes, List<Relationship> relationships) {

    /** A server as the admin API stores it. */
    public record Server(
            String name,
            String serverIdentifier,
            String failoverAddress,
            int failoverPort,
            long offerTimeout,
            long declineProbation) {}

    /** A scope on one server. */
    public record Scope(String server, ServerConfig.Scope definition) {
        public String subnet() {
            return definition.subnet();
        }
    }

    /**
     * A failover relationship between two servers, with its member scopes (subnets).
     *
     * @param sharedSecret sealed (see {@link dev.tandem.protocol.config.SecretBox}): published so, only the coordinators
     *     hold the key that opens it
     */
    public record Relationship(
            String name,
            String primary,
            String secondary,
            String mode,
            int loadBalancePercent,
            int reservePercent,
            long mclt,
            long safePeriod,
            long maxResponseDelay,
            int maxUnackedUpdates,
            int loadBalanceMaxSeconds,
            int port,
            String sharedSecret,
            boolean tls,
            List<String> scopes) {

        public boolean involves(String server) {
            return primary.equals(server) || secondary.equals(server);
        }

        public String partnerOf(String server) {
            return primary.equals(server) ? secondary : primary;
        }

        public boolean empty() {
            return scopes.isEmpty();
        }
    }

    /**
     * Every problem of the whole configuration; empty when it may be published. Each server's document is checked by
     * the same validator the services run (empty relationships included, so their parameters are checked too), and
     * across servers: a subnet is served by two servers only as a scope of the relationship between them. The ends of
     * a relationship are existing, different servers (the store guarantees it).
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Server s : servers) {
            try {
                ConfigValidator.validate(document(s, true));
            } catch (InvalidConfigException e) {
                e.problems().forEach(p -> problems.add("server " + s.name() + ": " + p));
            }
        }
        for (int i = 0; i < scopes.size(); i++) {
            for (int j = i + 1; j < scopes.size(); j++) {
                sharing(scopes.get(i), scopes.get(j)).ifPresent(problems::add);
            }
        }
        for (Scope a : scopes) {
            for (Scope b : scopes) {
                if (a != b) {
                    reservedInOther(a, b).ifPresent(problems::add);
                }
            }
        }
        return problems;
    }

    /** The problem when a reservation of scope {@code a} is an address of scope {@code b}, on any server. */
    private static java.util.Optional<String> reservedInOther(Scope a, Scope b) {
        if (a.definition().reservations() == null) {
            return java.util.Optional.empty();
        }
        Subnet sb;
        try {
            sb = Subnet.parse(b.subnet());
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty(); // reported by the validator
        }
        for (ServerConfig.Reservation r : a.definition().reservations()) {
            try {
                if (r.address() != null
                        && !sb.equals(Subnet.parse(a.subnet()))
                        && sb.contains(dev.tandem.protocol.net.Ipv4.parse(r.address()))) {
                    return java.util.Optional.of("reservation " + r.address() + " of scope " + a.subnet() + " on "
                            + a.server() + " is an address of scope " + b.subnet() + " on " + b.server()
                            + ": a reservation belongs in the scope of its subnet");
                }
            } catch (IllegalArgumentException e) {
                // reported by the validator
            }
        }
        return java.util.Optional.empty();
    }

    /** The problem when two scopes on different servers overlap outside a relationship between those servers. */
    private java.util.Optional<String> sharing(Scope a, Scope b) {
        if (a.server().equals(b.server())) {
            return java.util.Optional.empty(); // the validator of that server reports overlaps within it
        }
        Subnet sa;
        Subnet sb;
        try {
            sa = Subnet.parse(a.subnet());
            sb = Subnet.parse(b.subnet());
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty(); // reported by the validator
        }
        if (!sa.overlaps(sb)) {
            return java.util.Optional.empty();
        }
        Relationship owner = relationshipOf(sa.toString());
        if (sa.equals(sb) && owner != null && owner.involves(a.server()) && owner.involves(b.server())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("scope " + a.subnet() + " on " + a.server() + " overlaps scope " + b.subnet()
                + " on " + b.server() + ": two servers serve one subnet only as partners in a failover relationship"
                + " that holds the scope");
    }

    /** The configuration document of each server (revision 0; the publisher sets it). Empty relationships are left out. */
    public Map<String, ServerConfig> documents() {
        Map<String, ServerConfig> out = new LinkedHashMap<>();
        servers.stream().sorted(Comparator.comparing(Server::name)).forEach(s -> out.put(s.name(), document(s, false)));
        return out;
    }

    private ServerConfig document(Server s, boolean withEmpty) {
        List<ServerConfig.Scope> own = scopes.stream()
                .filter(sc -> sc.server().equals(s.name()))
                .map(Scope::definition)
                .sorted(Comparator.comparing(ServerConfig.Scope::subnet))
                .toList();
        List<ServerConfig.Relationship> failover = relationships.stream()
                .filter(r -> r.involves(s.name()) && (withEmpty || !r.empty()))
                .sorted(Comparator.comparing(Relationship::name))
                .map(r -> relationship(s, r))
                .toList();
        return new ServerConfig(
                ServerConfig.VERSION,
                s.name(),
                0,
                s.serverIdentifier(),
                s.offerTimeout(),
                s.declineProbation(),
                own,
                failover.isEmpty() ? null : failover);
    }

    private ServerConfig.Relationship relationship(Server s, Relationship r) {
        Server partner = server(r.partnerOf(s.name()));
        return new ServerConfig.Relationship(
                r.name(),
                r.primary().equals(s.name()) ? "primary" : "secondary",
                r.mode(),
                s.failoverAddress(),
                r.port(),
                partner == null ? null : partner.failoverAddress(),
                r.port(),
                r.mclt(),
                r.loadBalancePercent(),
                r.reservePercent(),
                r.safePeriod() == 0 ? null : r.safePeriod(),
                r.maxResponseDelay(),
                r.maxUnackedUpdates(),
                r.loadBalanceMaxSeconds(),
                r.sharedSecret(),
                new ArrayList<>(new TreeSet<>(r.scopes())),
                r.tls() ? Boolean.TRUE : null);
    }

    public Server server(String name) {
        return servers.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    /** The relationship holding a subnet, or null. */
    public Relationship relationshipOf(String subnet) {
        return relationships.stream()
                .filter(r -> r.scopes().contains(subnet))
                .findFirst()
                .orElse(null);
    }
}

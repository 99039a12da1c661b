package dev.tandem.system;

import dev.tandem.protocol.bus.LeaseEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the clients themselves were given, as their own output says, audited apart from the servers' records: no
 * address acknowledged to two clients for overlapping leases, and every lease a Tandem server acknowledged is in its
 * lease events (committed or renewed for that client), so none was given without being committed.
 */
final class ClientAcks {

    /** One lease a client obtained: its MAC, the address, the server identifier, when, and the lease time. */
    record Ack(String mac, String address, String serverId, Instant at, long leaseSeconds) {

        String clientKey() {
            return "id:01" + mac.replace(":", "");
        }
    }

    /** The Tandem servers by server identifier; acknowledgements of others (ISC dhcpd) are not in Tandem's events. */
    static final Map<String, String> TANDEM_SERVERS = Map.of("198.18.4.1", "dhcp-a", "198.18.134.1", "dhcp-b");

    private static final List<Ack> RECEIVED = new CopyOnWriteArrayList<>();

    private ClientAcks() {}

    static void record(Ack ack) {
        RECEIVED.add(ack);
    }

    /** A new stack: the acknowledgements of the previous one are not in its events. */
    static void clear() {
        RECEIVED.clear();
    }

    /** When the last lease a client was given runs out (the epoch when none was given). */
    static Instant lastExpiry() {
        return RECEIVED.stream()
                .map(a -> a.at().plusSeconds(a.leaseSeconds()))
                .max(Instant::compareTo)
                .orElse(Instant.EPOCH);
    }

    static List<String> violations(List<LeaseEvent> events) {
        return violations(List.copyOf(RECEIVED), events);
    }

    static List<String> violations(List<Ack> acks, List<LeaseEvent> events) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < acks.size(); i++) {
            Ack a = acks.get(i);
            for (int j = i + 1; j < acks.size(); j++) {
                Ack b = acks.get(j);
                if (a.address().equals(b.address()) && !a.mac().equals(b.mac()) && overlap(a, b)) {
                    out.add(a.address() + " acknowledged to " + a.mac() + " by " + a.serverId() + " at " + a.at()
                            + " for " + a.leaseSeconds() + " s and to " + b.mac() + " by " + b.serverId() + " at "
                            + b.at());
                }
            }
            String server = TANDEM_SERVERS.get(a.serverId());
            if (server != null && events.stream().noneMatch(e -> committed(e, a, server))) {
                out.add(a.address() + " acknowledged to " + a.mac() + " by " + server + " at " + a.at()
                        + " has no committed or renewed lease event");
            }
        }
        return out;
    }

    private static boolean overlap(Ack a, Ack b) {
        Ack first = a.at().isBefore(b.at()) ? a : b;
        Ack second = first == a ? b : a;
        return second.at().isBefore(first.at().plusSeconds(first.leaseSeconds()));
    }

    /** The server's event of that lease: committed or renewed, for that client, up to a minute before the ACK. */
    private static boolean committed(LeaseEvent e, Ack a, String server) {
        return e.server().equals(server)
                && e.address().equals(a.address())
                && a.clientKey().equals(e.clientKey())
                && (e.type().equals("committed") || e.type().equals("renewed"))
                && !e.at().isAfter(a.at().plus(Duration.ofSeconds(2)))
                && e.at().isAfter(a.at().minus(Duration.ofSeconds(60)));
    }
}

package dev.tandem.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.bus.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads the public lease-events topic from the start, as an outside consumer (IPAM, audit) would. */
final class LeaseEvents {

    private static final ObjectMapper JSON = Json.mapper();

    private LeaseEvents() {}

    static List<LeaseEvent> all() {
        awaitOutboxesDrained();
        List<LeaseEvent> events = new ArrayList<>();
        for (ConsumerRecord<String, String> record : Stack.records(Topics.LEASE_EVENTS)) {
            try {
                LeaseEvent event = JSON.readValue(record.value(), LeaseEvent.class);
                if (!record.key().equals(event.address())) {
                    throw new AssertionError("event keyed " + record.key() + " is about " + event.address());
                }
                events.add(event);
            } catch (java.io.IOException e) {
                throw new AssertionError("lease event is not LeaseEvent v1 JSON: " + record.value(), e);
            }
        }
        events.sort(Comparator.comparingLong(LeaseEvent::sequence));
        return events;
    }

    /**
     * Waits until every running lease-service has published what it committed (its outbox is empty), so that the
     * audit reads the events of the test that just ended too. A lease-service that is not running, or is stopped
     * (SIGSTOP), publishes nothing now: its events are audited once it runs again.
     */
    static void awaitOutboxesDrained() {
        Map<String, String> pids;
        try {
            pids = Stack.servicePids();
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot tell which lease-services run", e);
        }
        for (Map.Entry<String, String> service :
                Map.of("lease-service", "dhcp-a", "lease-service-b", "dhcp-b").entrySet()) {
            String pid = pids.get(service.getKey());
            boolean running = pid != null
                    && ProcessHandle.of(Long.parseLong(pid))
                            .map(ProcessHandle::isAlive)
                            .orElse(false)
                    && !stopped(pid);
            if (running) {
                org.awaitility.Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> org.assertj.core.api.Assertions.assertThat(outbox(service.getValue()))
                                .as("lease events of %s not yet published", service.getValue())
                                .isZero());
            }
        }
    }

    /** Whether the process is stopped by a signal (state T in /proc/<pid>/stat), as a frozen service is, or gone. */
    private static boolean stopped(String pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid, "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
        } catch (java.io.IOException e) {
            return true; // gone since ProcessHandle saw it alive: it publishes nothing either
        }
    }

    private static long outbox(String server) throws java.sql.SQLException {
        try (java.sql.Connection c = Stack.database(server);
                java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM lease_event_outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<LeaseEvent> forAddress(String address) {
        return all().stream().filter(e -> e.address().equals(address)).toList();
    }

    /**
     * The invariant that matters most: no address bound to two clients at once, on one server or across the two of a
     * failover pair. Walks all events in time order; each server's view of an address (its own leases and the
     * partner's updates it applied) is tracked, and every new binding is checked against both servers' views.
     */
    static List<String> duplicateBindings(List<LeaseEvent> events) {
        record Holder(String client, Instant until) {}
        Map<String, Map<String, Holder>> holders = new HashMap<>(); // address -> server -> holder
        List<String> violations = new ArrayList<>();
        List<LeaseEvent> ordered = new ArrayList<>(events);
        ordered.sort(Comparator.comparing(LeaseEvent::at)
                .thenComparing(LeaseEvent::server)
                .thenComparingLong(LeaseEvent::sequence));
        for (LeaseEvent e : ordered) {
            Map<String, Holder> views = holders.computeIfAbsent(e.address(), a -> new HashMap<>());
            boolean binds = e.type().equals("committed")
                    || e.type().equals("renewed")
                    || (e.type().equals("partner-update") && "ACTIVE".equals(e.state()));
            if (!binds) {
                views.remove(e.server());
                continue;
            }
            // A server's own binding is checked against what both servers knew; a partner's binding applied by a
            // server against what that server knew (it replaces a binding of another client only if both bound it).
            for (Map.Entry<String, Holder> view : views.entrySet()) {
                if (e.type().equals("partner-update") && !view.getKey().equals(e.server())) {
                    continue;
                }
                Holder h = view.getValue();
                if (!h.client().equals(e.clientKey()) && e.at().isBefore(h.until())) {
                    violations.add(e.address() + " bound to " + e.clientKey() + " by " + e.server()
                            + (e.type().equals("partner-update") ? " (the partner's binding)" : "") + " at " + e.at()
                            + " while " + h.client() + " held it until " + h.until() + " (as " + view.getKey()
                            + " knew)");
                }
            }
            views.put(e.server(), new Holder(e.clientKey(), e.expiresAt()));
        }
        return violations;
    }
}

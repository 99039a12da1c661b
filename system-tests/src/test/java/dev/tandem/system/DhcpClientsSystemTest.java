package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.protocol.bus.LeaseEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real clients against the whole stack: udhcpc and dhclient on a relayed segment (through dhcrelay) and on a directly
 * attached one, perfdhcp through loopback. Every observation is checked three ways: what the client got, what the
 * database holds, and what the lease events say.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ServiceLogsOnFailure.class)
class DhcpClientsSystemTest {

    static final String LAN = Stack.PREFIX + "-lan";
    static final String LAN_IF = Stack.PREFIX + "l1";
    static final String DLAN = Stack.PREFIX + "-dlan";
    static final String DLAN_IF = Stack.PREFIX + "d1";
    static final String DIRECT = Stack.PREFIX + "-direct";
    static final String DIRECT_IF = Stack.PREFIX + "d0";
    static final Duration WAIT = Duration.ofSeconds(60);

    static Path dhclientScript;

    @BeforeAll
    static void startStack() throws IOException {
        Files.createDirectories(Stack.WORK);
        dhclientScript = Clients.executable("dhclient.script");
        // dhclient gives its script a clean environment: the log path is written into the script.
        String text = Files.readString(dhclientScript);
        Files.writeString(
                dhclientScript,
                text.replaceFirst("\n", "\nTANDEM_CLIENT_LOG=" + Stack.WORK.resolve("dhclient.events") + "\n"));
        Stack.start();
    }

    @AfterAll
    static void stopStack() {
        Stack.stop();
    }

    static String hex(String mac) {
        return mac.replace(":", "");
    }

    static String row(String address) throws SQLException {
        try (Connection c = Stack.database();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT state || ' ' || coalesce(hw_address, '-') FROM lease_view WHERE ip = '"
                                + address + "'")) {
            return rs.next() ? rs.getString(1) : "none";
        }
    }

    static List<String> eventTypes(String address) {
        return LeaseEvents.forAddress(address).stream().map(LeaseEvent::type).toList();
    }

    @Test
    @Order(1)
    void relayedUdhcpcGetsRenewsAndReleasesALease() throws Exception {
        Clients.Client client = Clients.udhcpc(LAN, LAN_IF, "02:00:5e:30:00:01", "relayed-udhcpc");
        try {
            await().atMost(WAIT).until(() -> client.last("bound").isPresent());
            String address = client.last("bound").orElseThrow();
            assertThat(address).startsWith(Stack.RELAY_LAN + ".");
            assertThat(client.events().get(0)).contains(Stack.SERVER_ID); // server identifier
            assertThat(row(address)).isEqualTo("ACTIVE 02005e300001");
            await().atMost(WAIT).until(() -> eventTypes(address).contains("committed"));
            LeaseEvent committed = LeaseEvents.forAddress(address).get(0);
            assertThat(committed.hardwareAddress()).isEqualTo("02005e300001");
            assertThat(committed.hostname()).isEqualTo("relayed-udhcpc");
            assertThat(committed.scope()).isEqualTo(Stack.RELAY_LAN + ".0/24");

            // RENEWING: unicast to the server identifier, routed through the relay's namespace.
            client.signal("USR1");
            await().atMost(WAIT).until(() -> client.count("renew") >= 1);
            assertThat(client.last("renew")).contains(address);
            await().atMost(WAIT).until(() -> eventTypes(address).contains("renewed"));

            // RELEASE
            client.signal("USR2");
            await().atMost(WAIT).until(() -> eventTypes(address).contains("released"));
            assertThat(row(address)).isEqualTo("RELEASED 02005e300001");
            assertThat(eventTypes(address)).containsSubsequence("committed", "renewed", "released");
        } finally {
            client.process().destroy();
        }
    }

    /**
     * Each exchange leaves a line in the gateway's log in ISC dhcpd's words, and the log turns to JSON (one object a
     * line) by configuration: the gateway is started again with it.
     */
    @Test
    @Order(8)
    void eachExchangeIsLoggedPerClientAndJsonLoggingIsASwitch() throws Exception {
        Path log = Path.of(Stack.env().get("TANDEM_RUN_DIR"), "logs", "gateway.log");
        String address = leaseFor("02:00:5e:30:00:08", "logged-client");
        String line =
                "DHCPACK on " + address + " to 02:00:5e:30:00:08 (logged-client) via " + Stack.RELAY_LAN + ".1 lease ";
        await().atMost(WAIT).until(() -> Files.readString(log).contains(line));
        assertThat(Files.readString(log)).contains("DHCPOFFER on " + address + " to 02:00:5e:30:00:08");

        Map<String, String> json = new java.util.HashMap<>(Stack.env());
        json.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
        String script = Stack.ROOT.resolve("deploy/local/tandem-local.sh").toString();
        try {
            Stack.script("stop-service", "gateway");
            long before = Files.size(log); // what the gateway started with JSON on writes
            Stack.run(Duration.ofMinutes(2), json, List.of(script, "start-service", "gateway"));
            String second = leaseFor("02:00:5e:30:00:09", "json-client");
            await().atMost(WAIT).until(() -> tail(log, before).contains("DHCPACK on " + second));
            List<String> lines =
                    tail(log, before).lines().filter(l -> !l.isBlank()).toList();
            com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String l : lines) {
                assertThat(mapper.readTree(l).isObject())
                        .as("a JSON object: %s", l)
                        .isTrue();
            }
            assertThat(lines)
                    .anySatisfy(l -> assertThat(
                                    mapper.readTree(l).path("loggerName").asText())
                            .isEqualTo("tandem.clients"))
                    .anySatisfy(
                            l -> assertThat(mapper.readTree(l).path("message").asText())
                                    .startsWith("DHCPACK on " + second + " to 02:00:5e:30:00:09 (json-client)"));
        } finally {
            Stack.script("stop-service", "gateway");
            Stack.script("start-service", "gateway");
        }
    }

    /** A relayed udhcpc client's address, once bound (the client then ends). */
    static String leaseFor(String mac, String host) throws Exception {
        Clients.Client client = Clients.udhcpc(LAN, LAN_IF, mac, host);
        try {
            await().atMost(WAIT).until(() -> client.last("bound").isPresent());
            return client.last("bound").orElseThrow();
        } finally {
            client.process().destroy();
        }
    }

    /** What a log gained after the offset. */
    static String tail(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(
                all,
                (int) Math.min(offset, all.length),
                (int) Math.max(0, all.length - offset),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    @Order(2)
    void dhclientGetsAndReleasesALeaseOnTheDirectSegmentAndThroughTheRelay() throws Exception {
        dhclientRoundTrip(DLAN, DLAN_IF, "02:00:5e:30:00:02", Stack.DIRECT_LAN);
        dhclientRoundTrip(LAN, LAN_IF, "02:00:5e:30:00:04", Stack.RELAY_LAN);
    }

    static void dhclientRoundTrip(String ns, String iface, String mac, String lan) throws Exception {
        Stack.ip(ns, "link", "set", "dev", iface, "address", mac);
        Path log = Stack.WORK.resolve("dhclient.events");
        Files.deleteIfExists(log);
        String pid = Stack.WORK.resolve("dhclient.pid").toString();
        String leases = Stack.WORK.resolve("dhclient-" + ns + ".leases").toString();
        Files.deleteIfExists(Path.of(leases));
        Stack.run(
                WAIT,
                Map.of(),
                Stack.inNamespace(
                        ns,
                        "dhclient",
                        "-1",
                        "-v",
                        "-pf",
                        pid,
                        "-lf",
                        leases,
                        "-sf",
                        dhclientScript.toString(),
                        iface));
        String bound = Files.readAllLines(log).stream()
                .filter(l -> l.startsWith("BOUND "))
                .findFirst()
                .orElseThrow();
        String address = bound.split(" ")[1];
        assertThat(address).startsWith(lan + ".");
        assertThat(row(address)).isEqualTo("ACTIVE " + hex(mac));
        await().atMost(WAIT).until(() -> eventTypes(address).contains("committed"));

        Stack.run(
                WAIT,
                Map.of(),
                Stack.inNamespace(
                        ns,
                        "dhclient",
                        "-r",
                        "-v",
                        "-pf",
                        pid,
                        "-lf",
                        leases,
                        "-sf",
                        dhclientScript.toString(),
                        iface));
        await().atMost(WAIT).until(() -> eventTypes(address).contains("released"));
        assertThat(row(address)).isEqualTo("RELEASED " + hex(mac));
    }

    @Test
    @Order(3)
    void clientThatCannotReachTheServerByUnicastRebindsByBroadcast() throws Exception {
        Clients.Client directClient = Clients.udhcpc(DLAN, DLAN_IF, "02:00:5e:30:00:03", "direct-udhcpc");
        try {
            await().atMost(WAIT).until(() -> directClient.last("bound").isPresent());
            String address = directClient.last("bound").orElseThrow();
            assertThat(address).startsWith(Stack.DIRECT_LAN + ".");
            await().atMost(WAIT).until(() -> eventTypes(address).contains("committed"));

            // T1 is 4 s and T2 8 s in this scope. With the server unreachable by unicast, RENEWING fails and the
            // client extends its lease only by broadcasting in REBINDING (RFC 2131 §4.4.5).
            Stack.ip(DLAN, "route", "add", "blackhole", Stack.DIRECT_SERVER_ID + "/32");
            try {
                long before = directClient.count("renew");
                await().atMost(WAIT).until(() -> directClient.count("renew") > before);
                assertThat(directClient.last("renew")).contains(address);
                await().atMost(WAIT).until(() -> eventTypes(address).contains("renewed"));
            } finally {
                Stack.ip(DLAN, "route", "del", "blackhole", Stack.DIRECT_SERVER_ID + "/32");
            }
        } finally {
            directClient.process().destroy();
            directClient.process().waitFor();
        }
    }

    @Test
    @Order(4)
    void addressInUseIsDeclinedAndQuarantined() throws Exception {
        // The reserved address of this client already answers ARP on the segment: udhcpc -a finds it and declines.
        String reserved = Stack.DIRECT_LAN + ".5";
        Stack.ip(DIRECT, "addr", "add", reserved + "/32", "dev", DIRECT_IF);
        Clients.Client client = Clients.udhcpc(DLAN, DLAN_IF, "02:00:5e:30:00:05", "declining-udhcpc", "-a");
        try {
            await().atMost(WAIT).until(() -> eventTypes(reserved).contains("declined"));
            assertThat(row(reserved)).startsWith("DECLINED");
            await().atMost(WAIT).until(() -> client.last("bound").isPresent());
            assertThat(client.last("bound")).get().isNotEqualTo(reserved);
        } finally {
            client.process().destroy();
            Stack.ip(DIRECT, "addr", "del", reserved + "/32", "dev", DIRECT_IF);
        }
    }

    @Test
    @Order(5)
    void leasesSurviveARestartOfEveryService() throws Exception {
        Clients.Client directClient = Clients.udhcpc(DLAN, DLAN_IF, "02:00:5e:30:00:03", "direct-udhcpc-2");
        try {
            leasesSurviveARestartOfEveryService(directClient);
        } finally {
            directClient.process().destroy();
            directClient.process().waitFor();
        }
    }

    void leasesSurviveARestartOfEveryService(Clients.Client directClient) throws Exception {
        await().atMost(WAIT).until(() -> directClient.last("bound").isPresent());
        String address = directClient.last("bound").orElseThrow();

        Map<String, String> before = activeLeases();
        assertThat(before).containsEntry(address, "id:0102005e300003"); // udhcpc sends client-id 1 + MAC

        Stack.script("stop-service", "lease-service", "--kill");
        Stack.script("stop-service", "gateway");
        Stack.script("stop-service", "gateway-direct");
        Stack.script("stop-service", "coordinator");
        Stack.script("stop-service", "admin-api");
        for (String service : List.of("lease-service", "gateway", "gateway-direct", "coordinator", "admin-api")) {
            Stack.script("start-service", service);
        }
        assertThat(activeLeases()).containsAllEntriesOf(before);

        long renewals = LeaseEvents.forAddress(address).stream()
                .filter(e -> e.type().equals("renewed"))
                .count();
        long clientRenewals = directClient.count("renew");
        await().atMost(WAIT).until(() -> directClient.count("renew") > clientRenewals);
        assertThat(directClient.last("renew")).contains(address);
        await().atMost(WAIT)
                .until(() -> LeaseEvents.forAddress(address).stream()
                                .filter(e -> e.type().equals("renewed"))
                                .count()
                        > renewals);
    }

    @Test
    @Order(6)
    void perfdhcpThroughTheRelayPathCompletesEveryExchange() throws Exception {
        int clients = 2000;
        int before = activeInLoadScope();
        String output = perfdhcp(clients);
        Matcher provisioned = Pattern.compile("to provision (\\d+) clients").matcher(output);
        assertThat(provisioned.find()).as(output).isTrue();
        assertThat(Integer.parseInt(provisioned.group(1))).isEqualTo(clients);
        assertThat(output).contains("non unique addresses: 0");
        assertThat(activeInLoadScope()).isEqualTo(before + clients);
    }

    /** perfdhcp's avalanche of new clients, as a relay on loopback; option 118 selects the load scope (RFC 3011). */
    static String perfdhcp(int clients) throws IOException {
        try {
            return Stack.run(
                    Duration.ofMinutes(5),
                    "perfdhcp",
                    "-4",
                    "--scenario",
                    "avalanche",
                    "-R",
                    Integer.toString(clients),
                    "-l",
                    "127.0.0.1",
                    "-o",
                    "118,c6131000",
                    Stack.SERVER_ID);
        } catch (AssertionError e) {
            // perfdhcp's own output is thousands of progress lines: keep it in a file, say what the servers counted.
            String message = e.getMessage();
            Files.writeString(Stack.WORK.resolve("perfdhcp.out"), message);
            throw new AssertionError("perfdhcp did not complete (its output: " + Stack.WORK.resolve("perfdhcp.out")
                    + "; last lines below). The servers counted:\n" + Stack.counters() + "\n"
                    + message.lines()
                            .skip(Math.max(0, message.lines().count() - 12))
                            .collect(java.util.stream.Collectors.joining("\n")));
        }
    }

    /** Active leases of the load scope, one per client. */
    static int activeInLoadScope() throws SQLException {
        try (Connection c = Stack.database();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT client_key) FROM lease"
                        + " WHERE scope = '198.19.16.0/20' AND state = 'ACTIVE'")) {
            rs.next();
            assertThat(rs.getInt(2)).as("one lease per client").isEqualTo(rs.getInt(1));
            return rs.getInt(1);
        }
    }

    @Test
    @Order(7)
    void leaseEventsAgreeWithTheDatabaseAndNoAddressWasEverBoundTwice() throws Exception {
        perfdhcp(200); // events of its own, whatever ran before
        Map<String, String> active = activeLeases();
        await().atMost(WAIT).until(() -> {
            Map<String, LeaseEvent> last = new HashMap<>();
            LeaseEvents.all().forEach(e -> last.put(e.address(), e));
            return active.entrySet().stream().allMatch(a -> {
                LeaseEvent e = last.get(a.getKey());
                return e != null
                        && (e.type().equals("committed") || e.type().equals("renewed"))
                        && e.clientKey().equals(a.getValue());
            });
        });
        // Delivery is at least once (a lease-service killed mid-publish sends again): readers deduplicate by id.
        List<LeaseEvent> events = LeaseEvents.all().stream()
                .collect(java.util.stream.Collectors.toMap(LeaseEvent::id, e -> e, (a, b) -> a))
                .values()
                .stream()
                .sorted(java.util.Comparator.comparingLong(LeaseEvent::sequence))
                .toList();
        assertThat(events).hasSizeGreaterThanOrEqualTo(200);
        assertThat(LeaseEvents.duplicateBindings(events)).isEmpty();
    }

    static Map<String, String> activeLeases() throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Connection c = Stack.database();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT host(ip), client_key FROM lease_view WHERE state = 'ACTIVE'")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }
}

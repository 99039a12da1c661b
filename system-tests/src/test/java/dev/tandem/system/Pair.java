package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.LeaseEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The failover pair of the system tests' stack (dhcp-a primary, dhcp-b secondary, relationship system-pair on the
 * LAN that dhcrelay forwards to both) and what its tests do with it: real udhcpc exchanges, the pair's state, both
 * lease tables, and the audits that end every test. Test settings: MCLT 20 s, max-response-delay 6 s, safe period 8 s
 * on the secondary (none on the primary), shared secret set.
 */
final class Pair {

    static final String A = "dhcp-a";
    static final String B = "dhcp-b";
    static final String RELATIONSHIP = "system-pair";
    static final String LAN2 = Stack.PREFIX + "-lan2";
    static final String LAN2_IF = Stack.PREFIX + "m1";
    static final String SERVER_ID_A = "198.18.4.1";
    static final String SERVER_ID_B = "198.18.134.1";
    static final String SCOPE = "198.18.135.0/24";
    static final Duration WAIT = Duration.ofSeconds(90);
    /** The relationship's MCLT in the test configuration, seconds. */
    static final long MCLT = 20;
    /** The failover scope's lease time in the test configuration, seconds: what a client is granted at most. */
    static final long LEASE_TIME = 60;

    static final ObjectMapper JSON = Json.mapper();
    static final Pattern OBTAINED =
            Pattern.compile("lease of ([0-9.]+) obtained from ([0-9.]+)(?:, lease time ([0-9]+))?");

    private Pair() {}

    /**
     * No address bound to two clients in the servers' lease events, nor in what the clients were acknowledged, and
     * every lease a Tandem server acknowledged is in its events.
     */
    static void audit() {
        List<LeaseEvent> events = LeaseEvents.all();
        assertThat(LeaseEvents.duplicateBindings(events)).isEmpty();
        assertThat(ClientAcks.violations(events)).isEmpty();
    }

    /**
     * Runs an exchange while the relay cannot reach one server's gateway (a prohibit rule in the relay's namespace;
     * the server itself runs on untouched, so its state does not change).
     */
    static <T> T unreachable(String gateway, java.util.function.Supplier<T> exchange) {
        String relay = Stack.PREFIX + "-relay";
        Stack.ip(relay, "rule", "add", "to", gateway + "/32", "prohibit");
        try {
            return exchange.get();
        } finally {
            Stack.ip(relay, "rule", "del", "to", gateway + "/32", "prohibit");
        }
    }

    /** How often a server's relationship entered POTENTIAL-CONFLICT, from its coordinator's metrics. */
    static double potentialConflicts(String server) {
        return Stack.coordinatorMetrics(server)
                .lines()
                .filter(l ->
                        l.startsWith("tandem_failover_transitions_total{") && l.contains("to=\"POTENTIAL-CONFLICT\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** One udhcpc run (-q -n) with the MAC: the address and the server that gave it, if any. */
    static Optional<String[]> oneShot(String mac) {
        return oneShot(mac, "-t 4 -T 1");
    }

    /** One udhcpc exchange on LAN2: the address, the server identifier and the lease time, if it got one. */
    static Optional<String[]> oneShot(String mac, String tries) {
        Stack.ip(LAN2, "link", "set", "dev", LAN2_IF, "address", mac);
        String out = Stack.run(
                Duration.ofSeconds(30),
                "sh",
                "-c",
                "ip netns exec " + LAN2 + " udhcpc -i " + LAN2_IF + " -f -q -n " + tries
                        + " -A 1 -s /bin/true 2>&1 || true");
        Matcher m = OBTAINED.matcher(out);
        if (!m.find()) {
            return Optional.empty();
        }
        long leaseTime = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
        ClientAcks.record(new ClientAcks.Ack(mac, m.group(1), m.group(2), Instant.now(), leaseTime));
        return Optional.of(new String[] {m.group(1), m.group(2), Long.toString(leaseTime)});
    }

    /**
     * RFC 3074 §6's mixing table, read from the RFC's own figure ({@code rfc3074-table.txt}): the expected server of a
     * client is derived from the RFC, not from the product's {@code LoadBalance}.
     */
    private static final int[] RFC3074 = rfc3074Table();

    private static int[] rfc3074Table() {
        try (java.io.InputStream in = Pair.class.getResourceAsStream("/rfc3074-table.txt")) {
            int[] table = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                    .lines()
                    .filter(line -> !line.startsWith("#"))
                    .flatMap(line -> java.util.Arrays.stream(line.split(",")))
                    .map(String::trim)
                    .filter(n -> !n.isEmpty())
                    .mapToInt(Integer::parseInt)
                    .toArray();
            if (java.util.Arrays.stream(table).sorted().distinct().count() != 256 || table.length != 256) {
                throw new IllegalStateException("rfc3074-table.txt is not a permutation of 0..255");
            }
            return table;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** RFC 3074 §6: seeded with the key's length, the key's octets mixed in from the last. */
    static int rfc3074(byte[] key) {
        int h = key.length & 0xff;
        for (int i = key.length - 1; i >= 0; i--) {
            h = RFC3074[h ^ (key[i] & 0xff)];
        }
        return h;
    }

    /** udhcpc sends client identifier 1 + MAC: the RFC 3074 key. */
    static int bucket(String mac) {
        return rfc3074(HexFormat.of().parseHex("01" + mac.replace(":", "")));
    }

    /** The first MAC {@code prefix:01}, {@code prefix:02}, ... whose bucket is (or is not) the primary's at 50 %. */
    static String firstMac(String prefix, boolean primary) {
        for (int i = 1; i < 256; i++) {
            String mac = String.format("%s:%02x", prefix, i);
            if (primaryBucket(mac) == primary) {
                return mac;
            }
        }
        throw new IllegalStateException("no MAC under " + prefix + " hashes to that side");
    }

    /** At 50 % the primary serves buckets 0 to 127 (ISC dhcpd's "split 128"). */
    static boolean primaryBucket(String mac) {
        return bucket(mac) < 128;
    }

    static JsonNode relationship(String server) throws IOException {
        for (JsonNode r : JSON.readTree(Stack.relationships(server))) {
            if (r.get("relationship").asText().equals(RELATIONSHIP)) {
                return r;
            }
        }
        throw new AssertionError(server + " reports no relationship " + RELATIONSHIP);
    }

    static void awaitStates(String a, String b) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    assertThat(relationship(A).get("state").asText()).isEqualTo(a);
                    assertThat(relationship(B).get("state").asText()).isEqualTo(b);
                });
    }

    /** Active leases of the failover scope: address to client. */
    static Map<String, String> active(String server) throws SQLException {
        return clients(server, "state = 'ACTIVE' AND expires_at > now() + interval '2 seconds'");
    }

    /** Every address of the failover scope bound to a client, whatever the binding's state now: address to client. */
    static Map<String, String> bound(String server) throws SQLException {
        return clients(server, "client_key IS NOT NULL AND state <> 'OFFERED'");
    }

    private static Map<String, String> clients(String server, String condition) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = Stack.database(server);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT host(ip), client_key FROM lease_view WHERE scope = '" + SCOPE + "' AND " + condition)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    static long unacknowledged(String server) throws SQLException {
        try (Connection c = Stack.database(server);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM lease WHERE scope = '" + SCOPE + "' AND update_seq > acked_seq")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void awaitTablesAgree() {
        await().atMost(WAIT).untilAsserted(Pair::tablesAgree);
    }

    /**
     * Both servers' lease tables of the failover scope agree address by address ({@link LeaseTables#disagreements}),
     * both hold the scope's rows (two empty reads do not agree), and neither server has an update the other has not
     * acknowledged. For use within an await: the last updates may be on their way.
     */
    static void tablesAgree() throws SQLException {
        Map<String, LeaseTables.Row> a = LeaseTables.read(A, SCOPE);
        Map<String, LeaseTables.Row> b = LeaseTables.read(B, SCOPE);
        assertThat(a).as("%s's rows of %s", A, SCOPE).isNotEmpty();
        assertThat(LeaseTables.disagreements(A, a, B, b))
                .as("addresses whose state, owner, client or expiry differ")
                .isEmpty();
        assertThat(unacknowledged(A)).as("unacknowledged on %s", A).isZero();
        assertThat(unacknowledged(B)).as("unacknowledged on %s", B).isZero();
    }

    /** Free addresses of the failover scope: owned by the primary (FREE), owned by the secondary (BACKUP). */
    static long[] ownership(String server) throws SQLException {
        try (Connection c = Stack.database(server);
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT count(*) FILTER (WHERE NOT backup), count(*) FILTER (WHERE backup)"
                                + " FROM lease WHERE scope = '" + SCOPE + "' AND state = 'FREE' AND in_pool"
                                + " AND reserved_for IS NULL")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** The state of an address in a server's lease table (FREE, ACTIVE, RELEASED, ...). */
    static String leaseState(String server, String address) throws SQLException {
        try (Connection c = Stack.database(server);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT state FROM lease_view WHERE ip = '" + address + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static boolean backup(String server, String address) throws SQLException {
        try (Connection c = Stack.database(server);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT backup FROM lease_view WHERE ip = '" + address + "'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** Publishes the relationship's mode to both servers and waits until both run it in NORMAL. */
    static void switchMode(String mode) throws IOException {
        long revision = nextRevision();
        publish("system-config.json", revision, mode);
        publish("system-config-b.json", revision, mode);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(relationship(A).get("mode").asText()).isEqualTo(mode);
            assertThat(relationship(B).get("mode").asText()).isEqualTo(mode);
        });
        awaitStates("NORMAL", "NORMAL");
    }

    private static long lastRevision;

    /**
     * A revision above any published before, whichever test or script published it (the chaos run's are the time in
     * milliseconds): a server ignores a configuration whose revision is not above the one it runs.
     */
    static synchronized long nextRevision() {
        lastRevision = Math.max(System.currentTimeMillis(), lastRevision + 1);
        return lastRevision;
    }

    /** Publishes a changed configuration: the relationship's mode, with a new revision. */
    static void publish(String file, long revision, String mode) throws IOException {
        ObjectNode config = (ObjectNode)
                JSON.readTree(Files.readString(Stack.ROOT.resolve("system-tests/src/test/resources/" + file)));
        config.put("revision", revision);
        ObjectNode relationship = (ObjectNode) config.get("failover").get(0);
        relationship.put("mode", mode);
        relationship.put("reservePercent", 10);
        Path out = Stack.WORK.resolve("rev" + revision + "-" + file);
        Files.writeString(out, JSON.writeValueAsString(config));
        Stack.script("publish-config", out.toString());
    }
}

package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.bus.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The ISC dhcpd 4.4 partner of the interoperation tests (IscInteropSystemTest, IscPrimarySystemTest,
 * IscStartOrderSystemTest, the ISC start-order matrix): the stack with dhcpd in place of dhcp-b, its configuration
 * and lease file, Tandem's configuration for the pair, and the checks that both sides agree.
 */
final class Isc {

    private Isc() {}

    static final String A = Pair.A;

    static final String PAIR = "isc-pair";

    static final String ISC_ADDRESS = "198.18.68.2"; // ISC_LINK.2 of network index 1: ISC's server identifier
    static final Duration WAIT = Duration.ofSeconds(120);

    static final ObjectMapper JSON = Json.mapper();

    static final Pattern OBTAINED = Pattern.compile("lease of ([0-9.]+) obtained from ([0-9.]+)");

    static final Path ISC_DIR = Stack.WORK.resolve("isc");

    /** Each class's ISC files and logs, kept apart: isc/tandem-primary, isc/tandem-secondary. */
    static Path iscDir = ISC_DIR;

    /**
     * Starts the stack with ISC dhcpd in place of dhcp-b: dhcp-b's services stopped, dhcp-a in relationship isc-pair
     * with the given role, dhcpd in the peer namespace with a fresh lease file and the other role. Returns dhcpd.
     */
    static Process startWithIscPartner(String tandemRole, String log) throws IOException {
        Stack.start(Map.of(
                "TANDEM_RELAY_SERVERS",
                Pair.SERVER_ID_A + " " + ISC_ADDRESS,
                "TANDEM_FAILOVER_POOL_BALANCE_INTERVAL",
                "5s",
                "TANDEM_LEASE_POOL_MISBALANCE_PERCENT",
                "1"));
        for (String service : List.of("gateway-b", "lease-service-b", "coordinator-b")) {
            Stack.script("stop-service", service);
        }
        publishTandemConfig(tandemRole);
        iscDir = ISC_DIR.resolve("tandem-" + tandemRole);
        Files.createDirectories(iscDir);
        Files.writeString(
                iscDir.resolve("dhcpd.conf"), dhcpdConf(tandemRole.equals("primary") ? "secondary" : "primary"));
        Files.writeString(iscDir.resolve("dhcpd.leases"), "");
        return spawnDhcpd(log);
    }

    static Process spawnDhcpd(String log) {
        return Stack.spawn(
                iscDir.resolve(log),
                Map.of(),
                Stack.inNamespace(
                                Stack.PREFIX + "-peer",
                                "dhcpd",
                                "-4",
                                "-f",
                                "-d",
                                "-cf",
                                iscDir.resolve("dhcpd.conf").toString(),
                                "-lf",
                                iscDir.resolve("dhcpd.leases").toString(),
                                "-pf",
                                iscDir.resolve("dhcpd.pid").toString(),
                                Stack.PREFIX + "i1")
                        .toArray(String[]::new));
    }

    static void stop(Process dhcpd) throws InterruptedException {
        if (dhcpd != null) {
            dhcpd.destroy();
            dhcpd.waitFor();
        }
        Stack.stop();
    }

    /**
     * No address bound to two clients, and, with both servers NORMAL, Tandem's table and ISC's lease file agree address
     * by address ({@link #disagreements}); otherwise what both hold agrees.
     */
    static void assertBothSidesAgree() throws Exception {
        Pair.audit();
        JsonNode r = relationship();
        if (r.path("state").asText().equals("NORMAL")
                && r.path("partnerState").asText().equals("NORMAL")) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(disagreements())
                    .as("addresses on which Tandem's table and ISC's lease file differ")
                    .isEmpty());
            return;
        }
        // One side does not run or serves alone (the test that left it so checks what holds then): what both hold
        // must agree.
        Map<String, String> tandem = tandemActive();
        iscActive().forEach((address, mac) -> {
            if (tandem.containsKey(address)) {
                assertThat(tandem.get(address))
                        .as("client of %s on Tandem and on ISC", address)
                        .isEqualTo(mac);
            }
        });
    }

    /**
     * Where Tandem's table and ISC's lease file differ ({@link LeaseTables#disagreements}: every address of the pool
     * on both, its state, a free address's owner, an active binding's client and its end to the second). An address
     * whose binding ends within 5 s of now on either side is left out: each server ends it on its own timer. Both
     * serve the same range, so every address of Tandem's table is ISC's too.
     */
    static List<String> disagreements() throws Exception {
        long now = java.time.Instant.now().getEpochSecond();
        Map<String, LeaseTables.Row> tandem = LeaseTables.readByMac(A, Pair.SCOPE);
        Map<String, LeaseTables.Row> isc = LeaseTables.isc(Files.readString(iscDir.resolve("dhcpd.leases")));
        Set<String> ending = new TreeSet<>();
        for (Map<String, LeaseTables.Row> side : List.of(tandem, isc)) {
            side.forEach((address, row) -> {
                if (row.state().equals("ACTIVE") && Math.abs(row.expires() - now) <= 5) {
                    ending.add(address);
                }
            });
        }
        tandem.keySet().removeAll(ending);
        isc.keySet().removeAll(ending);
        // ISC makes every address of its range FREE (the primary's) when it reads its configuration; one its lease
        // file does not list is that to it (seen once after a restart in the hot-standby case)
        for (String address : tandem.keySet()) {
            isc.putIfAbsent(address, new LeaseTables.Row("FREE", "", 0));
        }
        return LeaseTables.disagreements("Tandem", tandem, "ISC", isc);
    }

    /** The binding state of the address's last block in ISC's lease file ("active", "free", "abandoned", ...). */
    static String iscState(String address) throws IOException {
        String block = iscBlock(address);
        Matcher m = Pattern.compile("(?m)^\\s*binding state ([a-z-]+);").matcher(block);
        return m.find() ? m.group(1) : "";
    }

    /** The end of the address's lease in ISC's lease file, seconds since 1970 (0 if none). */
    static long iscEnds(String address) throws IOException {
        return LeaseTables.ends(iscBlock(address));
    }

    static String iscBlock(String address) throws IOException {
        Matcher m = Pattern.compile("lease " + Pattern.quote(address) + " \\{(.*?)\\n\\}", Pattern.DOTALL)
                .matcher(Files.readString(iscDir.resolve("dhcpd.leases")));
        String last = "";
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    /**
     * The highest free pool address that Tandem (FREE, the primary's) or ISC (BACKUP) may allocate now, none of {@code
     * expiring}: those leases are checked to run out later, and one that ran out already and went back to the pool must
     * not be declined meanwhile.
     */
    static String freeAddressOf(boolean tandem, java.util.Set<String> expiring) throws Exception {
        String held = expiring.stream().map(a -> "'" + a + "'").collect(Collectors.joining(","));
        try (Connection c = Stack.database(A);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT host(ip) FROM lease_view WHERE scope = '"
                        + Pair.SCOPE + "' AND state = 'FREE' AND in_pool AND reserved_for IS NULL"
                        + " AND backup = " + !tandem
                        + (held.isEmpty() ? "" : " AND host(ip) NOT IN (" + held + ")")
                        + " ORDER BY ip DESC LIMIT 1")) {
            assertThat(rs.next())
                    .as("a free address of %s", tandem ? "Tandem" : "ISC")
                    .isTrue();
            return rs.getString(1);
        }
    }

    static String tandemState(String address) throws Exception {
        try (Connection c = Stack.database(A);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT state FROM lease_view WHERE ip = '" + address + "'")) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    static java.time.Instant tandemExpiry(String address) throws Exception {
        try (Connection c = Stack.database(A);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT expires_at FROM lease_view WHERE ip = '" + address + "'")) {
            return rs.next() && rs.getTimestamp(1) != null ? rs.getTimestamp(1).toInstant() : java.time.Instant.EPOCH;
        }
    }

    /** Waits until Tandem reports itself and ISC in NORMAL. */
    static void awaitBothNormal() {
        awaitBothNormal(r -> {});
    }

    /** Waits until Tandem reports itself and ISC in NORMAL, and what {@code also} asserts of its report holds. */
    static void awaitBothNormal(java.util.function.Consumer<JsonNode> also) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    JsonNode r = relationship();
                    assertThat(r.get("state").asText()).isEqualTo("NORMAL");
                    assertThat(r.get("partnerState").asText()).isEqualTo("NORMAL");
                    also.accept(r);
                });
    }

    /**
     * ISC's partner-down bootstrap (dhcpd.conf(5), DHCP FAILOVER) with Tandem's server lost: Tandem's services are
     * killed, the operator records partner-down in ISC's lease file and restarts dhcpd, which then serves alone.
     * Returns the new dhcpd once it has left its STARTUP (where it answers nobody, up to 15 s without a partner).
     */
    static Process iscAloneInPartnerDown(Process running, boolean iscIsSecondary, String log) throws Exception {
        for (String service : List.of("gateway", "lease-service", "coordinator")) {
            Stack.script("stop-service", service, "--kill");
        }
        running.destroy();
        running.waitFor();
        Files.writeString(
                iscDir.resolve("dhcpd.leases"),
                "failover peer \"" + PAIR + "\" state {\n  my state partner-down;\n  partner state recover;\n"
                        + (iscIsSecondary ? "  mclt 20;\n" : "") + "}\n",
                java.nio.file.StandardOpenOption.APPEND);
        Process dhcpd = spawnDhcpd(log);
        await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(iscDir.resolve(log)))
                .contains("I move from startup to partner-down"));
        return dhcpd;
    }

    /**
     * A new Tandem server in place of the lost one: an empty lease database and no stored failover state. It starts
     * in RECOVER, asks ISC for everything (UPDREQALL) and waits out the MCLT; ISC leaves partner-down only when it
     * reports RECOVER-DONE. Returns when both are in NORMAL, with ISC's log saying it left partner-down.
     */
    static void aNewTandemServerRecoversFromIsc(String log) throws Exception {
        Stack.forgetServer(A, PAIR);
        for (String service : List.of("lease-service", "gateway", "coordinator")) {
            Stack.script("start-service", service);
        }
        awaitBothNormal();
        assertThat(Files.readString(iscDir.resolve(log))).contains("I move from partner-down to normal");
    }

    /** The lease reached Tandem's lease events as a partner update after {@code since} (it may have expired since). */
    static void reachedTandem(String address, String mac, java.time.Instant since) {
        String hardware = mac.replace(":", "");
        await().atMost(WAIT).untilAsserted(() -> assertThat(LeaseEvents.forAddress(address))
                .anyMatch(e -> e.type().equals("partner-update")
                        && hardware.equals(e.hardwareAddress())
                        && e.at().isAfter(since)));
    }

    /** Every lease (address to MAC) is in ISC's lease file and in Tandem's table, whichever server granted it. */
    static void assertBothHold(Map<String, String> leases) {
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, String> isc = iscActive();
            Map<String, String> tandem = tandemActive();
            leases.forEach((address, mac) -> {
                assertThat(isc).as("ISC's lease file").containsEntry(address, mac);
                assertThat(tandem).as("Tandem's lease table").containsEntry(address, mac);
            });
        });
    }

    static void balancingMovesAddressesEachWay(boolean tandemPrimary, String iscClients, String tandemClients)
            throws Exception {
        String iscOwn = tandemPrimary ? "backup" : "free"; // ISC's word for a free address of its own
        String tandemOwn = tandemPrimary ? "free" : "backup";
        // A move shows as an address both tables gave one server that the other now holds free or has leased: each
        // allocates only its own, and the other's clients keep coming while the pass runs, so a moved address may be
        // leased at once.
        List<String> leasedByIsc =
                movedTo(false, tandemPrimary, agreedOn(true, tandemPrimary, tandemOwn), iscClients, iscOwn);

        // The leases of ISC's clients run out (the MCLT) and come back as FREE, the primary's (§5.11, on both sides);
        // the passes even the pools out again before Tandem's clients come.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(tandemActive().keySet()).doesNotContainAnyElementsOf(leasedByIsc);
            int own = freeAddressesOf(true, tandemPrimary).size();
            int other = freeAddressesOf(false, tandemPrimary).size();
            assertThat(Math.abs(own - other))
                    .as("Tandem %d, ISC %d", own, other)
                    .isLessThanOrEqualTo((own + other) / 10);
        });
        movedTo(true, tandemPrimary, agreedOn(false, tandemPrimary, iscOwn), tandemClients, tandemOwn);
    }

    /**
     * The receiver's clients ({@code tandem}: Tandem's, else ISC's) take 24 leases while the other server's balancing
     * pass gives it some of {@code givenFree}: waits until some have moved (held free by the receiver, or leased by its
     * clients), each one free in ISC's lease file as the receiver's ({@code receiversWord}); returns the leased ones.
     */
    static List<String> movedTo(
            boolean tandem, boolean tandemPrimary, Set<String> givenFree, String clients, String receiversWord) {
        List<String> leased = takeLeases(clients, tandem, tandemPrimary, 24);
        await().atMost(WAIT).untilAsserted(() -> {
            Set<String> given = heldBy(givenFree, freeAddressesOf(tandem, tandemPrimary), leased);
            assertThat(given)
                    .as("addresses given to %s", tandem ? "Tandem" : "ISC")
                    .isNotEmpty();
            for (String address : given) {
                if (!leased.contains(address)) {
                    assertThat(iscBlock(address))
                            .as("ISC's lease of %s", address)
                            .contains("binding state " + receiversWord + ";");
                }
            }
        });
        return leased;
    }

    /**
     * Those of the free addresses Tandem's table gives to Tandem (or to ISC) that ISC's lease file also has in
     * {@code iscState} (ISC's free or backup), once there are some: ISC writes its file as it commits the updates.
     */
    static Set<String> agreedOn(boolean tandem, boolean tandemPrimary, String iscState) {
        return await().atMost(WAIT)
                .until(
                        () -> {
                            Set<String> agreed = new TreeSet<>();
                            for (String address : freeAddressesOf(tandem, tandemPrimary)) {
                                if (iscBlock(address).contains("binding state " + iscState + ";")) {
                                    agreed.add(address);
                                }
                            }
                            return agreed;
                        },
                        agreed -> !agreed.isEmpty());
    }

    /** Those of {@code addresses} that the other server now holds free or has leased to its clients. */
    static Set<String> heldBy(Set<String> addresses, Set<String> otherFree, List<String> otherLeased) {
        Set<String> held = new TreeSet<>(otherFree);
        held.addAll(otherLeased);
        held.retainAll(addresses);
        return held;
    }

    /**
     * New clients whose buckets name Tandem (or ISC), each taking one lease and leaving; returns the addresses. At
     * 50 % the primary's buckets are those {@link Pair#primaryBucket} names.
     */
    static List<String> takeLeases(String prefix, boolean tandem, boolean tandemPrimary, int count) {
        List<String> taken = new ArrayList<>();
        for (int i = 1; i < 256 && taken.size() < count; i++) {
            String mac = String.format("%s:00:%02x", prefix, i);
            if ((Pair.primaryBucket(mac) == tandemPrimary) != tandem) {
                continue;
            }
            Optional<String[]> lease = Pair.oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            assertThat(lease.get()[1])
                    .as("client %s is served by", mac)
                    .isEqualTo(tandem ? Pair.SERVER_ID_A : ISC_ADDRESS);
            taken.add(lease.get()[0]);
        }
        assertThat(taken).hasSize(count);
        return taken;
    }

    /** The free pool addresses Tandem's table gives to Tandem (or to ISC): FREE are the primary's, BACKUP the other's. */
    static Set<String> freeAddressesOf(boolean tandem, boolean tandemPrimary) throws Exception {
        Set<String> out = new TreeSet<>();
        try (Connection c = Stack.database(A);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT host(ip) FROM lease_view WHERE scope = '"
                        + Pair.SCOPE + "' AND state = 'FREE' AND in_pool AND reserved_for IS NULL"
                        + " AND backup = " + (tandem != tandemPrimary))) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    static void publishTandemConfig(String role) throws IOException {
        publishTandemConfig(role, "load-balance");
    }

    static void publishTandemConfig(String role, String mode) throws IOException {
        long revision = Pair.nextRevision();
        ObjectNode config = (ObjectNode) JSON.readTree(Stack.ROOT
                .resolve("system-tests/src/test/resources/system-config.json")
                .toFile());
        config.put("revision", revision);
        ObjectNode r = (ObjectNode) config.get("failover").get(0);
        r.put("name", PAIR);
        r.put("role", role);
        r.put("mode", mode);
        r.remove("sharedSecret"); // ISC dhcpd does not authenticate failover messages
        r.remove("safePeriod");
        r.put("maxUnackedUpdates", 10);
        Path out = Stack.WORK.resolve("isc-pair-" + role + "-" + revision + ".json");
        Files.writeString(out, JSON.writeValueAsString(config));
        Stack.script("publish-config", out.toString());
    }

    static String dhcpdConf(String role) {
        String primaryOnly = role.equals("primary") ? "\n  mclt 20;\n  split 128;" : "";
        return """
                # ISC dhcpd 4.4 as the %s of Tandem's dhcp-a (generated by the interoperation tests)
                authoritative;
                ddns-update-style none;
                default-lease-time 60;
                max-lease-time 60;
                failover peer "%s" {
                  %s;
                  address 198.18.132.2;
                  port 10647;
                  peer address 198.18.132.1;
                  peer port 10647;
                  max-response-delay 6;
                  max-unacked-updates 10;
                  load balance max seconds 30;
                  min-balance 2;
                  max-balance 5;
                  max-lease-misbalance 1;%s
                }
                subnet 198.18.68.0 netmask 255.255.255.252 { }
                subnet 198.18.135.0 netmask 255.255.255.0 {
                  option routers 198.18.135.1;
                  pool {
                    failover peer "%s";
                    range 198.18.135.10 198.18.135.109;
                  }
                }
                """
                .formatted(role, PAIR, role, primaryOnly, PAIR);
    }

    static JsonNode relationship() throws IOException {
        for (JsonNode r : JSON.readTree(Stack.relationships(A))) {
            if (r.get("relationship").asText().equals(PAIR)) {
                return r;
            }
        }
        throw new AssertionError(A + " reports no relationship " + PAIR);
    }

    /** Active leases in ISC's lease file, address to MAC. */
    static Map<String, String> iscActive() throws IOException {
        return active(LeaseTables.isc(Files.readString(iscDir.resolve("dhcpd.leases"))), 0);
    }

    /** Active leases of the pair's scope in Tandem's table, address to MAC. */
    static Map<String, String> tandemActive() throws Exception {
        return active(
                LeaseTables.readByMac(A, Pair.SCOPE), java.time.Instant.now().getEpochSecond());
    }

    /** The active bindings among {@code rows} that end after {@code after} (epoch s), address to client. */
    private static Map<String, String> active(Map<String, LeaseTables.Row> rows, long after) {
        Map<String, String> out = new HashMap<>();
        rows.forEach((address, row) -> {
            if (row.state().equals("ACTIVE")
                    && row.expires() > after
                    && !row.client().isEmpty()) {
                out.put(address, row.client());
            }
        });
        return out;
    }
}

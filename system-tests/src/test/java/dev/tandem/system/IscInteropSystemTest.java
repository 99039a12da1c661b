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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tandem as primary with an unmodified ISC dhcpd 4.4 (Debian's isc-dhcp-server) as secondary, in load-balance: the
 * ISC server runs in the peer namespace in place of dhcp-b, and dhcrelay forwards the pair's LAN to both.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ServiceLogsOnFailure.class)
class IscInteropSystemTest {

    static final String A = Pair.A;
    static final String PAIR = "isc-pair";
    static final String ISC_ADDRESS = "198.18.68.2"; // ISC_LINK.2 of network index 1: ISC's server identifier
    static final Duration WAIT = Duration.ofSeconds(120);
    static final ObjectMapper JSON = Json.mapper();
    static final Pattern OBTAINED = Pattern.compile("lease of ([0-9.]+) obtained from ([0-9.]+)");
    static final Path ISC_DIR = Stack.WORK.resolve("isc");
    /** Each class's ISC files and logs, kept apart: isc/tandem-primary, isc/tandem-secondary. */
    static Path iscDir = ISC_DIR;

    static Process dhcpd;
    static final Map<String, String> servedBy = new TreeMap<>(); // mac -> server identifier

    @BeforeAll
    static void startStackWithAnIscPartner() throws Exception {
        dhcpd = startWithIscPartner("primary", "dhcpd.log");
    }

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
        iscDir = iscDir.resolve("tandem-" + tandemRole);
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
                "ip",
                "netns",
                "exec",
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
                Stack.PREFIX + "i1");
    }

    @AfterAll
    static void stopAll() throws Exception {
        stop(dhcpd);
    }

    static void stop(Process dhcpd) throws InterruptedException {
        if (dhcpd != null) {
            dhcpd.destroy();
            dhcpd.waitFor();
        }
        Stack.stop();
    }

    @AfterEach
    void noAddressIsBoundToTwoClientsOnEitherSide() throws Exception {
        assertBothSidesAgree();
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

    @Test
    @Order(1)
    void bothReachNormalFromAFreshStart() {
        awaitBothNormal();
        await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(iscDir.resolve("dhcpd.log")))
                .contains("failover peer " + PAIR + ": I move from recover-done to normal"));
    }

    @Test
    @Order(2)
    void eachNewClientIsServedByTheServerItsBucketNames() {
        int primary = 0;
        for (int i = 1; i <= 12; i++) {
            String mac = String.format("02:00:5e:80:00:%02x", i);
            Optional<String[]> lease = Pair.oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            boolean ours = Pair.primaryBucket(mac);
            assertThat(lease.get()[1])
                    .as("client %s (bucket %d)", mac, Pair.bucket(mac))
                    .isEqualTo(ours ? Pair.SERVER_ID_A : ISC_ADDRESS);
            servedBy.put(lease.get()[0], mac);
            primary += ours ? 1 : 0;
        }
        assertThat(primary).as("both servers served some of the 12").isBetween(1, 11);
    }

    @Test
    @Order(3)
    void bindingUpdatesReachTheOtherSidesLeaseTable() {
        assertBothHold(servedBy);
    }

    /**
     * Binding updates both ways for the rest of a lease's life. For a client of each server: a renewal (udhcpc's
     * SIGUSR1) moves the lease's end on both sides, a release (SIGUSR2) frees it on both, and the same address found in
     * use when offered again (udhcpc -a, the relay answering ARP for it) is declined on both. A lease of test 2 that
     * nobody renewed expires on both. Each server caps a new client's first lease at the MCLT. In this lab dhcrelay
     * also forwards the unicast renewals and releases that it routes, so both servers see those messages as well as
     * each other's binding updates; what is checked is that both tables agree.
     */
    @Test
    @Order(4)
    void bothSidesAgreeAfterRenewalsReleasesDeclinesAndExpiries() throws Exception {
        for (boolean tandemServes : List.of(true, false)) {
            String mac = Pair.firstMac("02:00:5e:81:0" + (tandemServes ? "1" : "2"), tandemServes);
            String server = tandemServes ? Pair.SERVER_ID_A : ISC_ADDRESS;
            String name = "isc-life-" + (tandemServes ? "tandem" : "isc");
            Clients.Client client = Clients.udhcpc(Pair.LAN2, Pair.LAN2_IF, mac, name);
            String address;
            try {
                await().atMost(WAIT).until(() -> client.last("bound").isPresent());
                address = client.last("bound").orElseThrow();
                String[] first = client.events().get(0).split(" "); // bound address server lease-time
                assertThat(first[2]).as("served by").isEqualTo(server);
                assertThat(Long.parseLong(first[3]))
                        .as("a new client's first lease is capped at the MCLT (20 s; the scope's is 60 s)")
                        .isBetween(1L, 20L);
                assertBothHold(Map.of(address, mac));
                long iscEnds = iscEnds(address);
                java.time.Instant tandemEnds = tandemExpiry(address);

                // ISC answers a renewal within the first 25 % of a lease with the lease unchanged (its
                // dhcp-cache-threshold): renew after that
                java.time.Instant bound = java.time.Instant.now();
                await().atMost(Duration.ofSeconds(10)).until(() -> java.time.Instant.now()
                        .isAfter(bound.plusSeconds(Long.parseLong(first[3]) / 4 + 1)));
                long renewals = client.count("renew");
                client.signal("USR1");
                await().atMost(WAIT).until(() -> client.count("renew") > renewals);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(iscEnds(address))
                            .as("the lease's end in ISC's lease file")
                            .isGreaterThan(iscEnds);
                    assertThat(tandemExpiry(address)).as("in Tandem's table").isAfter(tandemEnds);
                });

                client.signal("USR2");
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(iscState(address)).as("ISC, after the release").isIn("free", "released", "backup");
                    assertThat(tandemState(address))
                            .as("Tandem, after the release")
                            .isIn("FREE", "RELEASED");
                });
            } finally {
                client.process().destroy();
                client.process().waitFor();
            }
            // A free address of the serving server, asked for by the client (option 50) and answering ARP on the
            // segment: the client finds it in use and declines it.
            String taken = freeAddressOf(tandemServes);
            String relay = Stack.PREFIX + "-relay";
            String relayIf = Stack.PREFIX + "m0";
            Stack.ip(relay, "addr", "add", taken + "/32", "dev", relayIf);
            // a new client: one that had an address would be offered that one again
            String declinerMac = Pair.firstMac("02:00:5e:81:0" + (tandemServes ? "3" : "4"), tandemServes);
            Clients.Client decliner =
                    Clients.udhcpc(Pair.LAN2, Pair.LAN2_IF, declinerMac, name + "-decline", "-a", "-r", taken);
            try {
                await().atMost(WAIT).untilAsserted(() -> {
                    String iscLog = Files.readString(iscDir.resolve("dhcpd.log"));
                    // declined, or found in use by ISC's own ping before it offered the address
                    assertThat(iscLog).as("ISC's log").contains("Abandoning IP address " + taken + ": ");
                    // The declining client discovers again at once. When ISC finds the abandoned lease under the
                    // client's identifier besides its new one (the other server's binding update for that one came
                    // first), ISC releases it as a duplicate, and says so; otherwise the address stays abandoned.
                    if (!iscLog.contains("uid lease " + taken + " for client " + declinerMac + " is duplicate")) {
                        assertThat(iscState(taken)).as("ISC, after the decline").isEqualTo("abandoned");
                    }
                    assertThat(tandemState(taken))
                            .as("Tandem, after the decline")
                            .isEqualTo("DECLINED");
                });
            } finally {
                decliner.process().destroy();
                decliner.process().waitFor();
                Stack.ip(relay, "addr", "del", taken + "/32", "dev", relayIf);
            }
        }

        // Test 2's clients quit without renewing: their leases run out on both sides, whichever server granted them.
        await().atMost(WAIT).untilAsserted(() -> {
            for (String address : servedBy.keySet()) {
                assertThat(iscState(address)).as("ISC, %s expired", address).isNotEqualTo("active");
                assertThat(tandemState(address))
                        .as("Tandem, %s expired", address)
                        .isIn("FREE", "EXPIRED");
            }
        });
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

    /** The highest free pool address that Tandem (FREE, the primary's) or ISC (BACKUP) may allocate now. */
    /**
     * A free address of one server's pool that no client of test 2 held: those leases are checked to run out later,
     * and one that ran out already and went back to the pool must not be declined meanwhile.
     */
    static String freeAddressOf(boolean tandem) throws Exception {
        String held = servedBy.keySet().stream().map(a -> "'" + a + "'").collect(Collectors.joining(","));
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

    /**
     * Pool balancing between the two implementations, each way. ISC serves clients of its buckets from its own free
     * addresses, so Tandem holds more than its half and gives ISC the surplus on its next pass; then Tandem serves
     * clients of its buckets, and ISC gives back what it holds beyond half on its next pass (ISC's balancing is
     * symmetric: the primary gives FREE as BACKUP, the secondary BACKUP as FREE). Each move shows in both tables. A
     * first lease lasts the MCLT (20 s), so the drift lasts only that long: when the clients' leases come back to the
     * pool of the server that gave them, the drift is only the leases taken in the last 20 s, a few addresses when the
     * machine is slow. So here ISC checks its balance every 2 to 5 s (min-balance, max-balance) and Tandem every 5 s,
     * and both move any surplus above 1 % (max-lease-misbalance, tandem.lease.pool-misbalance-percent; 15 % by
     * default).
     */
    @Test
    @Order(5)
    void poolBalancingMovesFreeAddressesEachWayBetweenTandemAndIsc() throws Exception {
        balancingMovesAddressesEachWay(true, "02:00:5e:8a", "02:00:5e:8b");
    }

    static void balancingMovesAddressesEachWay(boolean tandemPrimary, String iscClients, String tandemClients)
            throws Exception {
        String iscOwn = tandemPrimary ? "backup" : "free"; // ISC's word for a free address of its own
        String tandemOwn = tandemPrimary ? "free" : "backup";
        // A move shows as an address both tables gave one server that the other now holds free or has leased: each
        // allocates only its own, and the other's clients keep coming while the pass runs, so a moved address may be
        // leased at once.
        Set<String> tandemsFree = agreedOn(true, tandemPrimary, tandemOwn);
        List<String> leasedByIsc = takeLeases(iscClients, false, tandemPrimary, 24);
        await().atMost(WAIT).untilAsserted(() -> {
            Set<String> given = heldBy(tandemsFree, freeAddressesOf(false, tandemPrimary), leasedByIsc);
            assertThat(given).as("addresses Tandem gave ISC").isNotEmpty();
            for (String address : given) {
                if (!leasedByIsc.contains(address)) {
                    assertThat(iscBlock(address))
                            .as("ISC's lease of %s", address)
                            .contains("binding state " + iscOwn + ";");
                }
            }
        });

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
        Set<String> iscsFree = agreedOn(false, tandemPrimary, iscOwn);
        List<String> leasedByTandem = takeLeases(tandemClients, true, tandemPrimary, 24);
        await().atMost(WAIT).untilAsserted(() -> {
            Set<String> given = heldBy(iscsFree, freeAddressesOf(true, tandemPrimary), leasedByTandem);
            assertThat(given).as("addresses ISC gave Tandem").isNotEmpty();
            for (String address : given) {
                if (!leasedByTandem.contains(address)) {
                    assertThat(iscBlock(address))
                            .as("ISC's lease of %s", address)
                            .contains("binding state " + tandemOwn + ";");
                }
            }
        });
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
     * 50 % the primary's buckets are those {@link FailoverSystemTest#primaryBucket} names.
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

    static String outageClient;
    static String outageAddress;

    @Test
    @Order(6)
    void withIscKilledTandemServesEveryClientAndTakesOverByCommand() throws Exception {
        dhcpd.destroy();
        dhcpd.waitFor();
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(
                        () -> assertThat(relationship().get("state").asText()).isEqualTo("COMMUNICATIONS-INTERRUPTED"));
        // a new client whose bucket names ISC is served by Tandem now, from Tandem's own pool
        outageClient = Pair.firstMac("02:00:5e:81:00", false);
        Optional<String[]> lease = Pair.oneShot(outageClient);
        assertThat(lease).isPresent();
        assertThat(lease.get()[1]).isEqualTo(Pair.SERVER_ID_A);
        outageAddress = lease.get()[0];

        Stack.command(A, PAIR, "partner-down");
        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertThat(relationship().get("state").asText()).isEqualTo("PARTNER-DOWN"));
    }

    @Test
    @Order(7)
    void iscRestartsRecoversWhatItMissedAndBothReturnToNormal() throws Exception {
        dhcpd = spawnDhcpd("dhcpd-restart.log");
        awaitBothNormal();
        String log = Files.readString(iscDir.resolve("dhcpd-restart.log"));
        assertThat(log).contains("I move from recover-done to normal");
        // the lease Tandem granted while ISC was down reached ISC's lease file during recovery (by now it may have
        // expired: the client took one lease and left, and leases in PARTNER-DOWN last at most the MCLT)
        await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(iscDir.resolve("dhcpd.leases")))
                .containsPattern("lease " + Pattern.quote(outageAddress) + " \\{[^}]*hardware ethernet "
                        + Pattern.quote(outageClient) + ";"));
    }

    @Test
    @Order(8)
    void hotStandbyTheTandemPrimaryAnswersEveryNewClient() throws Exception {
        // ISC's hot standby is split 256 on its primary; a Tandem primary in hot-standby sends ISC the same bucket
        // map in CONNECT: every bucket is the primary's
        publishTandemConfig("primary", "hot-standby", 3);
        awaitBothNormal(r -> assertThat(r.get("mode").asText()).isEqualTo("hot-standby"));
        Map<String, String> leases = new TreeMap<>();
        for (int i = 1; i <= 6; i++) {
            String mac = String.format("02:00:5e:83:00:%02x", i);
            Optional<String[]> lease = Pair.oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            assertThat(lease.get()[1])
                    .as("client %s is served by the active server", mac)
                    .isEqualTo(Pair.SERVER_ID_A);
            leases.put(lease.get()[0], mac);
        }
        assertBothHold(leases);
    }

    @Test
    @Order(9)
    void fromIscsPartnerDownBootstrapANewTandemPrimaryTakesEveryLeaseAndBothReachNormal() throws Exception {
        dhcpd = iscAloneInPartnerDown(dhcpd, true, "dhcpd-partner-down.log");
        String mac = "02:00:5e:86:00:01";
        Optional<String[]> lease = Pair.oneShot(mac);
        assertThat(lease).as("the ISC secondary alone serves a new client").isPresent();
        assertThat(lease.get()[1]).isEqualTo(ISC_ADDRESS);

        java.time.Instant replaced = java.time.Instant.now();
        aNewTandemServerRecoversFromIsc("dhcpd-partner-down.log");
        reachedTandem(lease.get()[0], mac, replaced);
        assertBothHold(iscActive());
        // the new primary serves (hot-standby: it answers every new client), and its leases reach ISC
        String next = "02:00:5e:86:00:02";
        Optional<String[]> after = Pair.oneShot(next);
        assertThat(after).isPresent();
        assertThat(after.get()[1]).isEqualTo(Pair.SERVER_ID_A);
        assertBothHold(Map.of(after.get()[0], next));
    }

    static void publishTandemConfig(String role) throws IOException {
        publishTandemConfig(role, "load-balance", 2);
    }

    static void publishTandemConfig(String role, String mode, int revision) throws IOException {
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

package dev.tandem.system;

import static dev.tandem.system.Isc.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
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

    static Process dhcpd;

    @BeforeAll
    static void startStackWithAnIscPartner() throws Exception {
        dhcpd = startWithIscPartner("primary", "dhcpd.log");
    }

    @AfterAll
    static void stopAll() throws Exception {
        stop(dhcpd);
    }

    @AfterEach
    void noAddressIsBoundToTwoClientsOnEitherSide() throws Exception {
        assertBothSidesAgree();
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
    void eachNewClientIsServedByTheServerItsBucketNamesAndBothSidesHoldIt() {
        awaitBothNormal();
        Map<String, String> servedBy = new TreeMap<>(); // address -> mac
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
        assertBothHold(servedBy); // the binding updates reached the other side's lease table
    }

    /**
     * Binding updates both ways for the rest of a lease's life. For a client of each server: a renewal (udhcpc's
     * SIGUSR1) moves the lease's end on both sides, a release (SIGUSR2) frees it on both, and the same address found in
     * use when offered again (udhcpc -a, the relay answering ARP for it) is declined on both. A lease that nobody
     * renewed expires on both. Each server caps a new client's first lease at the MCLT. In this lab dhcrelay
     * also forwards the unicast renewals and releases that it routes, so both servers see those messages as well as
     * each other's binding updates; what is checked is that both tables agree.
     */
    @Test
    @Order(3)
    void bothSidesAgreeAfterRenewalsReleasesDeclinesAndExpiries() throws Exception {
        awaitBothNormal();
        // a client of each server that takes one lease and leaves: checked to run out on both sides at the end
        Map<String, String> expiring = new TreeMap<>(); // address -> mac
        for (boolean tandemServes : List.of(true, false)) {
            String mac = Pair.firstMac("02:00:5e:81:0" + (tandemServes ? "5" : "6"), tandemServes);
            expiring.put(Pair.oneShot(mac).orElseThrow()[0], mac);
        }
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
            String taken = freeAddressOf(tandemServes, expiring.keySet());
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

        // The first clients quit without renewing: their leases run out on both sides, whichever server granted them.
        await().atMost(WAIT).untilAsserted(() -> {
            for (String address : expiring.keySet()) {
                assertThat(iscState(address)).as("ISC, %s expired", address).isNotEqualTo("active");
                assertThat(tandemState(address))
                        .as("Tandem, %s expired", address)
                        .isIn("FREE", "EXPIRED");
            }
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
    @Order(4)
    void poolBalancingMovesFreeAddressesEachWayBetweenTandemAndIsc() throws Exception {
        balancingMovesAddressesEachWay(true, "02:00:5e:8a", "02:00:5e:8b");
    }

    /**
     * ISC killed: Tandem goes COMMUNICATIONS-INTERRUPTED and serves a new client of ISC's buckets from its own pool,
     * then PARTNER-DOWN by the operator's command; ISC restarted recovers what it missed (that client's lease reaches
     * its lease file) and both return to NORMAL.
     */
    @Test
    @Order(5)
    void withIscKilledTandemServesEveryClientAndIscRestartedRecoversWhatItMissed() throws Exception {
        awaitBothNormal();
        dhcpd.destroy();
        dhcpd.waitFor();
        try {
            await().atMost(WAIT)
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .untilAsserted(() ->
                            assertThat(relationship().get("state").asText()).isEqualTo("COMMUNICATIONS-INTERRUPTED"));
            // a new client whose bucket names ISC is served by Tandem now, from Tandem's own pool
            String outageClient = Pair.firstMac("02:00:5e:81:00", false);
            Optional<String[]> lease = Pair.oneShot(outageClient);
            assertThat(lease).isPresent();
            assertThat(lease.get()[1]).isEqualTo(Pair.SERVER_ID_A);
            String outageAddress = lease.get()[0];

            Stack.command(A, PAIR, "partner-down");
            await().atMost(WAIT)
                    .untilAsserted(() ->
                            assertThat(relationship().get("state").asText()).isEqualTo("PARTNER-DOWN"));

            dhcpd = spawnDhcpd("dhcpd-restart.log");
            awaitBothNormal();
            String log = Files.readString(iscDir.resolve("dhcpd-restart.log"));
            assertThat(log).contains("I move from recover-done to normal");
            // the lease Tandem granted while ISC was down reached ISC's lease file during recovery (by now it may
            // have expired: the client took one lease and left, and leases in PARTNER-DOWN last at most the MCLT)
            await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(iscDir.resolve("dhcpd.leases")))
                    .containsPattern("lease " + Pattern.quote(outageAddress) + " \\{[^}]*hardware ethernet "
                            + Pattern.quote(outageClient) + ";"));
        } finally {
            if (!dhcpd.isAlive()) {
                dhcpd = spawnDhcpd("dhcpd-restart.log"); // the tests after this one need ISC
            }
        }
    }

    @Test
    @Order(6)
    void hotStandbyTheTandemPrimaryAnswersEveryNewClient() throws Exception {
        // ISC's hot standby is split 256 on its primary; a Tandem primary in hot-standby sends ISC the same bucket
        // map in CONNECT: every bucket is the primary's
        awaitBothNormal();
        publishTandemConfig("primary", "hot-standby");
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
    @Order(7)
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
        // the new primary serves a client of its buckets (in any mode), and its leases reach ISC
        String next = Pair.firstMac("02:00:5e:86:01", true);
        Optional<String[]> after = Pair.oneShot(next);
        assertThat(after).isPresent();
        assertThat(after.get()[1]).isEqualTo(Pair.SERVER_ID_A);
        assertBothHold(Map.of(after.get()[0], next));
    }
}

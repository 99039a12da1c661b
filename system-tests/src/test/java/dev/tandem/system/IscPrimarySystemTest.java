package dev.tandem.system;

import static dev.tandem.system.Isc.ISC_ADDRESS;
import static dev.tandem.system.Isc.PAIR;
import static dev.tandem.system.Isc.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The other half of a migration: an unmodified ISC dhcpd 4.4 as primary (MCLT and split are its own) with Tandem's
 * dhcp-a as secondary, in load balance.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ServiceLogsOnFailure.class)
class IscPrimarySystemTest {

    static Process dhcpd;

    @BeforeAll
    static void startStackWithAnIscPrimary() throws Exception {
        dhcpd = Isc.startWithIscPartner("secondary", "dhcpd.log");
    }

    @AfterAll
    static void stopAll() throws Exception {
        Isc.stop(dhcpd);
    }

    @AfterEach
    void noAddressIsBoundToTwoClientsOnEitherSide() throws Exception {
        Isc.assertBothSidesAgree();
    }

    @Test
    @Order(1)
    void bothReachNormalWithTheMcltOfTheIscPrimary() {
        Isc.awaitBothNormal(r -> {
            assertThat(r.get("role").asText()).isEqualTo("secondary");
            assertThat(r.get("mclt").asLong())
                    .as("the primary's MCLT, from CONNECT")
                    .isEqualTo(20);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(Isc.iscDir.resolve("dhcpd.log")))
                .contains("failover peer " + PAIR + ": Both servers normal"));
        // §7.6: Tandem, the secondary, asks for pool balancing on reaching NORMAL; ISC answers with POOLRESP
        await().atMost(WAIT).untilAsserted(() -> assertThat(Stack.coordinatorMetrics(Isc.A))
                .containsPattern("tandem_failover_pool_messages_total\\{[^}]*type=\"poolresp-received\"[^}]*} [1-9]"));
    }

    @Test
    @Order(2)
    void eachNewClientIsServedByTheServerItsBucketNamesAndBothSidesHoldIt() {
        Isc.awaitBothNormal();
        Map<String, String> servedBy = new TreeMap<>(); // address -> mac
        int iscServed = 0;
        for (int i = 1; i <= 12; i++) {
            String mac = String.format("02:00:5e:82:00:%02x", i);
            Optional<String[]> lease = Pair.oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            // ISC is the primary now: the buckets of split 128 that name the primary are ISC's
            boolean isc = Pair.primaryBucket(mac);
            assertThat(lease.get()[1])
                    .as("client %s (bucket %d)", mac, Pair.bucket(mac))
                    .isEqualTo(isc ? ISC_ADDRESS : Pair.SERVER_ID_A);
            servedBy.put(lease.get()[0], mac);
            iscServed += isc ? 1 : 0;
        }
        assertThat(iscServed).as("both servers served some of the 12").isBetween(1, 11);
        Isc.assertBothHold(servedBy); // the binding updates reached the other side's lease table
    }

    @Test
    @Order(3)
    void poolBalancingMovesFreeAddressesEachWayBetweenIscAndTandem() throws Exception {
        Isc.awaitBothNormal();
        Isc.balancingMovesAddressesEachWay(false, "02:00:5e:8c", "02:00:5e:8d");
    }

    @Test
    @Order(4)
    void withTandemKilledIscServesEveryClientAndTandemRecoversWhatItMissed() throws Exception {
        Isc.awaitBothNormal();
        for (String service : List.of("gateway", "lease-service", "coordinator")) {
            Stack.script("stop-service", service, "--kill");
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(Isc.iscDir.resolve("dhcpd.log")))
                .contains("failover peer " + PAIR + ": I move from normal to communications-interrupted"));
        // a new client whose bucket names Tandem is served by ISC now, from ISC's own pool
        String mac = Pair.firstMac("02:00:5e:83:00", false);
        Optional<String[]> lease = Pair.oneShot(mac);
        assertThat(lease).isPresent();
        assertThat(lease.get()[1]).isEqualTo(ISC_ADDRESS);

        // Tandem restarts with its database and both return to NORMAL
        for (String service : List.of("lease-service", "gateway", "coordinator")) {
            Stack.script("start-service", service);
        }
        Isc.awaitBothNormal();
        // ISC's outage lease reached Tandem's database through ISC's binding updates (active, or already expired and
        // sent as such: the client took one lease and left, and leases outside NORMAL last at most the MCLT)
        String address = lease.get()[0];
        String hardware = mac.replace(":", "");
        await().atMost(WAIT).untilAsserted(() -> assertThat(LeaseEvents.forAddress(address))
                .anyMatch(e -> e.type().equals("partner-update") && hardware.equals(e.hardwareAddress())));
        assertThat(Files.readString(Isc.iscDir.resolve("dhcpd.leases")))
                .containsPattern("lease " + java.util.regex.Pattern.quote(address) + " \\{[^}]*hardware ethernet "
                        + java.util.regex.Pattern.quote(mac) + ";");
    }

    @Test
    @Order(5)
    void hotStandbyBySplit256OnlyTheIscPrimaryAnswersNewClients() throws Exception {
        // ISC's hot standby: the primary keeps every bucket (split 256); Tandem, the secondary, runs hot-standby
        Isc.awaitBothNormal();
        dhcpd.destroy();
        dhcpd.waitFor();
        Files.writeString(
                Isc.iscDir.resolve("dhcpd.conf"), Isc.dhcpdConf("primary").replace("split 128;", "split 256;"));
        Isc.publishTandemConfig("secondary", "hot-standby");
        dhcpd = Isc.spawnDhcpd("dhcpd-standby.log");
        Isc.awaitBothNormal(r -> {
            assertThat(r.get("mode").asText()).isEqualTo("hot-standby");
            assertThat(r.get("hashBuckets").asText())
                    .as("every bucket the primary's")
                    .isEqualTo("ff".repeat(32));
        });
        // ISC quirk: ISC balances its pools to half and half in hot standby too, so Tandem, whose hot-standby reserve
        // is 5 %, balances toward half with an ISC partner; otherwise each pass would give away what the other's
        // pass gives back. Over three of Tandem's passes (5 s here) its half stays.
        await().during(Duration.ofSeconds(15))
                .atMost(Duration.ofSeconds(25))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    int own = Isc.freeAddressesOf(true, false).size();
                    int other = Isc.freeAddressesOf(false, false).size();
                    return own * 100 >= (own + other) * 35;
                });
        Map<String, String> leases = new TreeMap<>();
        for (int i = 1; i <= 6; i++) {
            String mac = String.format("02:00:5e:84:00:%02x", i);
            Optional<String[]> lease = Pair.oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            assertThat(lease.get()[1])
                    .as("client %s is served by the ISC primary", mac)
                    .isEqualTo(ISC_ADDRESS);
            leases.put(lease.get()[0], mac);
        }
        Isc.assertBothHold(leases);
    }

    @Test
    @Order(6)
    void fromIscsPartnerDownBootstrapANewTandemSecondaryTakesEveryLeaseAndBothReachNormal() throws Exception {
        dhcpd = Isc.iscAloneInPartnerDown(dhcpd, false, "dhcpd-partner-down.log");
        String mac = "02:00:5e:85:00:01";
        Optional<String[]> lease = Pair.oneShot(mac);
        assertThat(lease).as("the ISC primary alone serves a new client").isPresent();
        assertThat(lease.get()[1]).isEqualTo(ISC_ADDRESS);

        java.time.Instant replaced = java.time.Instant.now();
        Isc.aNewTandemServerRecoversFromIsc("dhcpd-partner-down.log");
        // the lease granted while ISC served alone reached the new server (in partner-down ISC grants at most the
        // MCLT, so it may have expired by now), and every lease ISC holds is in the new table
        Isc.reachedTandem(lease.get()[0], mac, replaced);
        Isc.assertBothHold(Isc.iscActive());
        // the new server takes part: in hot-standby ISC answers new clients, and their leases reach it
        String next = "02:00:5e:85:00:02";
        Optional<String[]> after = Pair.oneShot(next);
        assertThat(after).isPresent();
        Isc.assertBothHold(Map.of(after.get()[0], next));
    }
}

package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Start orders of a Tandem primary and an ISC dhcpd 4.4 secondary that the other ISC tests never walk (they start
 * dhcpd within Tandem's STARTUP). Each case ends with both sides NORMAL (Tandem's state, ISC's log) and a new client
 * served by each side.
 */
@ExtendWith(ServiceLogsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IscStartOrderSystemTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    static Process dhcpd;

    /** Tandem alone, with a fresh ISC configuration and lease file made but dhcpd not started. */
    @BeforeAll
    static void startTandemAlone() throws Exception {
        Stack.start(Map.of("TANDEM_RELAY_SERVERS", Pair.SERVER_ID_A + " " + Isc.ISC_ADDRESS));
        for (String service : List.of("gateway-b", "lease-service-b", "coordinator-b")) {
            Stack.script("stop-service", service);
        }
        Isc.publishTandemConfig("primary");
        Isc.iscDir = Isc.ISC_DIR.resolve("start-order");
        Files.createDirectories(Isc.iscDir);
        Files.writeString(Isc.iscDir.resolve("dhcpd.conf"), Isc.dhcpdConf("secondary"));
        Files.writeString(Isc.iscDir.resolve("dhcpd.leases"), "");
    }

    /** ISC started (if no case started it yet) and both NORMAL, as the first case leaves them. */
    static void bothNormal() throws Exception {
        if (dhcpd == null) {
            dhcpd = Isc.spawnDhcpd("dhcpd.log");
        }
        bothNormalAndEachServes("dhcpd.log", "02:00:5e:81:03");
    }

    @AfterAll
    static void stopAll() throws Exception {
        Isc.stop(dhcpd);
    }

    /**
     * Tandem alone leaves STARTUP for RECOVER; ISC, started only then, reports its previous state with the STARTUP flag
     * first. Tandem used to take that as the start of communication and never asked for ISC's updates: RECOVER waited
     * for an UPDDONE it never asked for, and neither side reached NORMAL.
     */
    @Test
    @Order(1)
    void iscStartedAfterTandemLeftStartupReachesNormal() throws Exception {
        assertThat(dhcpd).as("the first case: ISC not started yet").isNull();
        await().atMost(WAIT)
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .untilAsserted(() ->
                        assertThat(Isc.relationship().get("state").asText()).isEqualTo("RECOVER"));

        dhcpd = Isc.spawnDhcpd("dhcpd.log");
        bothNormalAndEachServes("dhcpd.log", "02:00:5e:81:01");
    }

    /**
     * ISC serves alone first (Tandem's coordinator stopped: ISC goes COMMUNICATIONS-INTERRUPTED), then Tandem starts
     * again with the NORMAL it stored in the earlier case.
     */
    @Test
    @Order(2)
    void tandemStartedAfterIscWithStateFromAnEarlierRunReachesNormal() throws Exception {
        bothNormal();
        Stack.script("stop-service", "coordinator");
        await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(Isc.iscDir.resolve("dhcpd.log")))
                .contains("I move from normal to communications-interrupted"));
        Stack.script("start-service", "coordinator");
        bothNormalAndEachServes("dhcpd.log", "02:00:5e:81:02");
    }

    static void bothNormalAndEachServes(String log, String macPrefix) throws Exception {
        Isc.awaitBothNormal();
        await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(Isc.iscDir.resolve(log)))
                .containsPattern("I move from (recover-done|communications-interrupted) to normal"));
        Set<String> servers = new HashSet<>();
        for (boolean primary : new boolean[] {true, false}) {
            String mac = Pair.firstMac(macPrefix, primary);
            Optional<String[]> lease = Pair.oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            servers.add(lease.get()[1]);
        }
        assertThat(servers)
                .as("a new client of each side's buckets is served by that side")
                .containsExactlyInAnyOrder(Pair.SERVER_ID_A, Isc.ISC_ADDRESS);
    }
}

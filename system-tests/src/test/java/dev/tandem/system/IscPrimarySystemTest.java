package dev.tandem.system;

import static dev.tandem.system.IscInteropSystemTest.ISC_ADDRESS;
import static dev.tandem.system.IscInteropSystemTest.ISC_DIR;
import static dev.tandem.system.IscInteropSystemTest.PAIR;
import static dev.tandem.system.IscInteropSystemTest.WAIT;
import static dev.tandem.system.IscInteropSystemTest.relationship;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
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

/**
 * The other half of a migration: an unmodified ISC dhcpd 4.4 as primary (MCLT and split are its own) with Tandem's
 * dhcp-a as secondary, in load balance.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IscPrimarySystemTest {

    static Process dhcpd;
    static final Map<String, String> servedBy = new TreeMap<>(); // address -> mac

    @BeforeAll
    static void startStackWithAnIscPrimary() throws Exception {
        dhcpd = IscInteropSystemTest.startWithIscPartner("secondary", "dhcpd.log");
    }

    @AfterAll
    static void stopAll() throws Exception {
        IscInteropSystemTest.stop(dhcpd);
    }

    @AfterEach
    void noAddressIsBoundToTwoClientsOnEitherSide() throws Exception {
        IscInteropSystemTest.assertBothSidesAgree();
    }

    @Test
    @Order(1)
    void bothReachNormalWithTheMcltOfTheIscPrimary() {
        await().atMost(WAIT)
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    JsonNode r = relationship();
                    assertThat(r.get("role").asText()).isEqualTo("secondary");
                    assertThat(r.get("state").asText()).isEqualTo("NORMAL");
                    assertThat(r.get("partnerState").asText()).isEqualTo("NORMAL");
                    assertThat(r.get("mclt").asLong())
                            .as("the primary's MCLT, from CONNECT")
                            .isEqualTo(20);
                });
        await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(ISC_DIR.resolve("dhcpd.log")))
                .contains("failover peer " + PAIR + ": Both servers normal"));
    }

    @Test
    @Order(2)
    void eachNewClientIsServedByTheServerItsBucketNames() {
        int iscServed = 0;
        for (int i = 1; i <= 12; i++) {
            String mac = String.format("02:00:5e:82:00:%02x", i);
            Optional<String[]> lease = FailoverSystemTest.oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            // ISC is the primary now: the buckets of split 128 that name the primary are ISC's
            boolean isc = FailoverSystemTest.primaryBucket(mac);
            assertThat(lease.get()[1])
                    .as("client %s (bucket %d)", mac, FailoverSystemTest.bucket(mac))
                    .isEqualTo(isc ? ISC_ADDRESS : FailoverSystemTest.SERVER_ID_A);
            servedBy.put(lease.get()[0], mac);
            iscServed += isc ? 1 : 0;
        }
        assertThat(iscServed).as("both servers served some of the 12").isBetween(1, 11);
    }

    @Test
    @Order(3)
    void bindingUpdatesReachTheOtherSidesLeaseTable() {
        IscInteropSystemTest.assertBothHold(servedBy);
    }
}

package dev.tandem.system;

import static dev.tandem.system.Pair.SERVER_ID_A;
import static dev.tandem.system.Pair.SERVER_ID_B;
import static dev.tandem.system.Pair.WAIT;
import static dev.tandem.system.Pair.awaitStates;
import static dev.tandem.system.Pair.firstMac;
import static dev.tandem.system.Pair.oneShot;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The failover pair run from the four service images (deploy/images/build.sh: a Debian base made here, podman from
 * Debian), each service a container on the host network or in its lab namespace: real clients get leases, and with
 * every container of the primary killed the secondary serves the primary's clients; restarted, the pair is NORMAL and
 * the primary serves its share again.
 */
@ExtendWith(ServiceLogsOnFailure.class)
class ContainerImagesSystemTest {

    static final List<String> PRIMARY = List.of("coordinator", "lease-service", "gateway");

    @BeforeAll
    static void startStack() {
        Stack.start(Map.of("TANDEM_RUNTIME", "podman"));
        awaitStates("NORMAL", "NORMAL");
    }

    @AfterAll
    static void stopStack() {
        Stack.stop();
    }

    @Test
    void thePairRunsFromItsImagesAndThePartnerServesWhenThePrimarysContainersAreKilled() {
        String containers = Stack.run(
                Duration.ofSeconds(30),
                Map.of("CONTAINERS_CONF", "/var/cache/tandem/images/containers.conf"),
                List.of("podman", "--runtime", "runc", "ps", "--format", "{{.Names}} {{.Image}}"));
        for (String service : List.of(
                "lease-service",
                "gateway",
                "gateway-direct",
                "coordinator",
                "lease-service-b",
                "gateway-b",
                "coordinator-b",
                "admin-api")) {
            assertThat(containers)
                    .as("%s runs from its image", service)
                    .containsPattern("(?m)^" + Stack.PREFIX + "-" + service + " ghcr.io/tandem-dhcp/");
        }
        Optional<String[]> before = oneShot(firstMac("02:00:5e:7a:00", true));
        assertThat(before).hasValueSatisfying(l -> assertThat(l[1]).isEqualTo(SERVER_ID_A));

        Instant killed = Instant.now();
        try {
            for (String service : PRIMARY) {
                Stack.script("stop-service", service, "--kill");
            }
            String mac = firstMac("02:00:5e:7b:00", true);
            Optional<String[]> lease = Optional.empty();
            while (lease.isEmpty() && Duration.between(killed, Instant.now()).compareTo(WAIT) < 0) {
                lease = oneShot(mac, "-t 1 -T 1");
            }
            assertThat(lease)
                    .as("a new client of the primary's share, its containers killed")
                    .hasValueSatisfying(l -> assertThat(l[1]).isEqualTo(SERVER_ID_B));
        } finally {
            for (String service : PRIMARY) {
                Stack.script("start-service", service);
            }
        }
        awaitStates("NORMAL", "NORMAL");
        Optional<String[]> again = Optional.empty();
        for (int attempt = 0; attempt < 10 && again.isEmpty(); attempt++) {
            again = oneShot(firstMac("02:00:5e:7c:00", true));
        }
        assertThat(again).hasValueSatisfying(l -> assertThat(l[1]).isEqualTo(SERVER_ID_A));
    }
}

package dev.tandem.system;

import static dev.tandem.system.Pair.RELATIONSHIP;
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
 * every container of the primary killed the secondary serves the primary's clients; restarted on the next image tag
 * while the secondary keeps its own, the pair is NORMAL and the primary serves its share again; then the secondary
 * moves to the next tag too, one service at a time (a rolling upgrade of the pair, one server at a time). The chart's topics Job
 * runs from the admin-api image.
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
        // the upgrade's tags go; the images stay under their own
        Stack.run(
                Duration.ofSeconds(60),
                PODMAN_ENV,
                List.of(
                        "sh",
                        "-c",
                        "podman --runtime runc images --format '{{.Repository}}:{{.Tag}}' | grep '^ghcr.io/tandem-dhcp/.*-next$'"
                                + " | xargs -r podman --runtime runc untag; true"));
    }

    @Test
    void thePairRunsFromItsImagesAndThePartnerServesWhenThePrimarysContainersAreKilled() {
        String containers = ps();
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
            // the primary comes back on the next image tag, the secondary stays on its own: the first server of a
            // rolling upgrade (the same bits under another tag; the chart's servers[].imageTag does the same)
            for (String service : PRIMARY) {
                upgrade(containers, service);
            }
        }
        awaitStates("NORMAL", "NORMAL");
        String half = ps();
        for (String service : PRIMARY) {
            assertThat(half)
                    .as("%s upgraded", service)
                    .contains(Stack.PREFIX + "-" + service + " " + upgraded(containers, service));
            assertThat(half)
                    .as("%s-b not yet", service)
                    .contains(Stack.PREFIX + "-" + service + "-b " + image(containers, service + "-b"));
        }
        Optional<String[]> again = Optional.empty();
        for (int attempt = 0; attempt < 10 && again.isEmpty(); attempt++) {
            again = oneShot(firstMac("02:00:5e:7c:00", true));
        }
        assertThat(again).hasValueSatisfying(l -> assertThat(l[1]).isEqualTo(SERVER_ID_A));

        // then the secondary, one service at a time (stopped, started on the next tag): the pair is NORMAL again and
        // each server serves its own share
        for (String service : PRIMARY) {
            Stack.script("stop-service", service + "-b");
            upgrade(containers, service + "-b");
        }
        awaitStates("NORMAL", "NORMAL");
        String done = ps();
        for (String service : PRIMARY) {
            assertThat(done)
                    .as("%s-b upgraded", service)
                    .contains(Stack.PREFIX + "-" + service + "-b " + upgraded(containers, service + "-b"));
        }
        Optional<String[]> secondary = Optional.empty();
        for (int attempt = 0; attempt < 10 && secondary.isEmpty(); attempt++) {
            secondary = oneShot(firstMac("02:00:5e:7d:00", false));
        }
        assertThat(secondary).hasValueSatisfying(l -> assertThat(l[1]).isEqualTo(SERVER_ID_B));
    }

    /** Starts the service from its image under the next tag (made here from the image it ran). */
    static void upgrade(String containers, String service) {
        Stack.run(
                Duration.ofSeconds(30),
                PODMAN_ENV,
                List.of(
                        "podman",
                        "--runtime",
                        "runc",
                        "tag",
                        image(containers, service),
                        upgraded(containers, service)));
        Map<String, String> env = Stack.env();
        env.put("TANDEM_IMAGE_TAG", tag(containers, service) + "-next");
        Stack.run(
                Duration.ofMinutes(3),
                env,
                List.of(Stack.ROOT.resolve("deploy/local/tandem-local.sh").toString(), "start-service", service));
    }

    /**
     * The chart's topics Job for an external Kafka, as the chart runs it: the admin-api image with the Job's command,
     * here against the stack's Kafka (as its super user), whose topics the local stack made: every one is found as
     * planned.
     */
    @Test
    void theTopicsJobRunsFromTheAdminApiImageAndFindsTheStacksTopicsAsPlanned() throws Exception {
        String password = java.nio.file.Files.readString(java.nio.file.Path.of(
                        Stack.env().get("TANDEM_RUN_DIR"), "kafka-users", Stack.KAFKA_ADMIN + ".password"))
                .trim();
        String out = adminApiTool(
                List.of(
                        "KAFKA_BOOTSTRAP_SERVERS=" + Stack.kafka(),
                        "TANDEM_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT",
                        "TANDEM_KAFKA_USERNAME=" + Stack.KAFKA_ADMIN,
                        "TANDEM_KAFKA_PASSWORD=" + password),
                "dev.tandem.admin.tools.CreateTopics",
                "dhcp-a,dhcp-b",
                "4",
                "1");
        assertThat(out)
                .contains("present tandem.dhcp-a.failover-state: 1 partition(s), compact")
                .contains("present tandem.dhcp-b.binding-updates: 1 partition(s), delete")
                .contains("present tandem.lease-events: 4 partition(s), delete")
                .doesNotContain("PROBLEM")
                .doesNotContain("created ");
    }

    /** The chart's helm test as the chart runs it: the admin-api image reading both coordinators finds the pair NORMAL. */
    @Test
    void theHelmTestRunsFromTheAdminApiImageAndFindsThePairNormal() throws Exception {
        awaitStates("NORMAL", "NORMAL");
        String token = java.nio.file.Files.readString(
                        java.nio.file.Path.of(Stack.env().get("TANDEM_RUN_DIR"), "admin", "command-token"))
                .trim();
        String out = adminApiTool(
                List.of("TANDEM_COMMAND_TOKEN=" + token),
                "dev.tandem.admin.tools.PairCheck",
                "--wait",
                "60",
                "http://127.0.0.1:" + (Stack.HTTP_BASE + 2),
                "http://198.18.133.2:" + (Stack.HTTP_BASE + 22));
        assertThat(out)
                .contains("dhcp-a in " + RELATIONSHIP + ": NORMAL, partner NORMAL, serving")
                .contains("dhcp-b in " + RELATIONSHIP + ": NORMAL, partner NORMAL, serving");
    }

    /** A tool of the admin-api image run as the chart's Job and test pod run it (on the host network here). */
    static String adminApiTool(List<String> env, String mainClass, String... args) {
        List<String> command = new java.util.ArrayList<>(
                List.of("podman", "--runtime", "runc", "run", "--rm", "--network", "host", "--entrypoint", "java"));
        env.forEach(e -> command.addAll(List.of("-e", e)));
        command.addAll(
                List.of(image(ps(), "admin-api"), "-cp", "/deployments/app/*:/deployments/lib/main/*", mainClass));
        command.addAll(List.of(args));
        return Stack.run(Duration.ofMinutes(2), PODMAN_ENV, command);
    }

    static final Map<String, String> PODMAN_ENV = Map.of("CONTAINERS_CONF", "/var/cache/tandem/images/containers.conf");

    /** {@code podman ps}: each container's name and image. */
    static String ps() {
        return Stack.run(
                Duration.ofSeconds(30),
                PODMAN_ENV,
                List.of("podman", "--runtime", "runc", "ps", "--format", "{{.Names}} {{.Image}}"));
    }

    /** The image a service's container runs, from {@link #ps()}'s lines. */
    static String image(String ps, String service) {
        return ps.lines()
                .filter(l -> l.startsWith(Stack.PREFIX + "-" + service + " "))
                .map(l -> l.substring(l.indexOf(' ') + 1).strip())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container of " + service + " in\n" + ps));
    }

    static String tag(String ps, String service) {
        String image = image(ps, service);
        return image.substring(image.lastIndexOf(':') + 1);
    }

    static String upgraded(String ps, String service) {
        return image(ps, service) + "-next";
    }
}

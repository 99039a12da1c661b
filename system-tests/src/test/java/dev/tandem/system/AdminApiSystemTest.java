package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.access.BusAccess;
import dev.tandem.protocol.bus.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The management plane with the real system: a relationship and its scope made through the admin API (not a file)
 * reach both servers and a real client gets a lease; a new percentage changes which server answers; "partner down"
 * sent through the API moves the secondary to PARTNER-DOWN. And the trust boundaries: each service's database role
 * reaches its own database only, shared secrets travel sealed, and the bus lets each service's principal write only its
 * own topics.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ServiceLogsOnFailure.class)
class AdminApiSystemTest {

    static final String A = Pair.A;
    static final String B = Pair.B;
    static final String PAIR = "api-pair";
    static final Duration WAIT = Duration.ofSeconds(90);
    static final ObjectMapper JSON = Json.mapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String API = "http://127.0.0.1:" + (Stack.HTTP_BASE + 10);
    static final String AUTH = "Basic "
            + Base64.getEncoder().encodeToString(("admin:" + Stack.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));

    @BeforeAll
    static void startStack() {
        // the services start with the file configuration of the other system tests; the lease-services with dynamic
        // DNS on and the key of the test's name server (#11), which the scopes use only once they are told to
        Stack.start(Map.of(
                "TANDEM_DDNS_ENABLED",
                "true",
                "TANDEM_DDNS_KEY_FILE",
                Bind.keyFile().toString()));
    }

    @AfterAll
    static void stopStack() {
        Bind.stop();
        Stack.stop();
    }

    @AfterEach
    void noAddressWasEverBoundToTwoClients() {
        assertThat(LeaseEvents.duplicateBindings(LeaseEvents.all())).isEmpty();
    }

    @Test
    @Order(1)
    void aRelationshipMadeThroughTheApiReachesBothServersAndAClientGetsALease() throws Exception {
        madeThroughTheApi();
        Optional<String[]> lease = Pair.oneShot("02:00:5e:70:00:01");
        assertThat(lease).as("a client of the pair's LAN gets a lease").isPresent();
        int host = Integer.parseInt(lease.get()[0].substring(lease.get()[0].lastIndexOf('.') + 1));
        assertThat(host).as("leased from the range made through the API").isBetween(110, 150);
        // the lease is found through the admin API's read model, on the server that granted it and on its partner
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode found = call("GET", "/api/v1/leases?hardwareAddress=02:00:5e:70:00:01", null)
                    .expect(200);
            assertThat(found.findValuesAsText("server")).containsExactlyInAnyOrder(A, B);
            assertThat(found.findValuesAsText("address")).containsOnly(lease.get()[0]);
        });
    }

    /**
     * The servers, the pair's scope and relationship {@value #PAIR} made through the API, unless an earlier test made
     * them; then both servers NORMAL in it.
     */
    static void madeThroughTheApi() throws Exception {
        if (call("GET", "/api/v1/relationships/" + PAIR, null).status() != 404) {
            awaitStates("NORMAL", "NORMAL");
            return;
        }
        call(
                        "POST",
                        "/api/v1/servers",
                        Map.of(
                                "name",
                                A,
                                "serverIdentifier",
                                Pair.SERVER_ID_A,
                                "failoverAddress",
                                "198.18.132.1",
                                "coordinatorUrl",
                                "http://127.0.0.1:" + (Stack.HTTP_BASE + 2)))
                .expect(201);
        call(
                        "POST",
                        "/api/v1/servers",
                        Map.of(
                                "name",
                                B,
                                "serverIdentifier",
                                Pair.SERVER_ID_B,
                                "failoverAddress",
                                "198.18.132.2",
                                // the coordinator of dhcp-b runs in the peer namespace, reached over its Kafka link
                                "coordinatorUrl",
                                "http://198.18.133.2:" + (Stack.HTTP_BASE + 22)))
                .expect(201);
        call(
                        "POST",
                        "/api/v1/servers/" + A + "/scopes",
                        Map.of(
                                "subnet",
                                Pair.SCOPE,
                                "ranges",
                                // not the range of the file configuration the stack started with: a lease from
                                // it shows that the API's configuration is the one in force
                                java.util.List.of(Map.of("first", "198.18.135.110", "last", "198.18.135.150")),
                                "leaseTime",
                                60,
                                "options",
                                Map.of("routers", "198.18.135.1")))
                .expect(201);
        call(
                        "POST",
                        "/api/v1/relationships",
                        Map.ofEntries(
                                Map.entry("name", PAIR),
                                Map.entry("primaryServer", A),
                                Map.entry("secondaryServer", B),
                                Map.entry("mode", "load-balance"),
                                Map.entry("loadBalancePercent", 50),
                                Map.entry("mclt", 20),
                                Map.entry("maxResponseDelay", 6),
                                Map.entry("loadBalanceMaxSeconds", 30),
                                Map.entry("port", 10647),
                                Map.entry("sharedSecret", "api-made-secret")))
                .expect(201);
        JsonNode pair = call("POST", "/api/v1/relationships/" + PAIR + "/scopes", Map.of("scope", "198.18.135.0"))
                .expect(200);
        assertThat(pair.get("empty").asBoolean()).isFalse();

        awaitStates("NORMAL", "NORMAL");
    }

    @Test
    @Order(2)
    void aNewPercentageChangesWhichServerAnswers() throws Exception {
        madeThroughTheApi();
        setPercentage(0); // every bucket to the secondary
        for (int i = 1; i <= 4; i++) {
            String mac = String.format("02:00:5e:71:00:%02x", i);
            assertThat(Pair.oneShot(mac))
                    .as("client %s with 0%% to the primary", mac)
                    .hasValueSatisfying(l -> assertThat(l[1]).isEqualTo(Pair.SERVER_ID_B));
        }
        setPercentage(100); // every bucket to the primary
        for (int i = 1; i <= 4; i++) {
            String mac = String.format("02:00:5e:72:00:%02x", i);
            assertThat(Pair.oneShot(mac))
                    .as("client %s with 100%% to the primary", mac)
                    .hasValueSatisfying(l -> assertThat(l[1]).isEqualTo(Pair.SERVER_ID_A));
        }
    }

    @Test
    @Order(3)
    void maintenanceThroughTheApiHandsOverToThePartnerAndRejoins() throws Exception {
        madeThroughTheApi();
        // half the free addresses to each: the partner serves new clients from its own pool at once (at 100 % to the
        // primary it would have none until MCLT after PARTNER-DOWN)
        setPercentage(50);
        JsonNode started = call("POST", "/api/v1/relationships/" + PAIR + "/maintenance?server=" + A, null)
                .expect(200);
        assertThat(started.get("state").asText()).isEqualTo("SHUTDOWN");
        awaitStates("SHUTDOWN", "PARTNER-DOWN");
        assertThat(Pair.oneShot("02:00:5e:73:00:01"))
                .as("a new client during the handover")
                .hasValueSatisfying(l -> assertThat(l[1]).isEqualTo(Pair.SERVER_ID_B));
        JsonNode ended = call("DELETE", "/api/v1/relationships/" + PAIR + "/maintenance?server=" + A, null)
                .expect(200);
        assertThat(ended.get("state").asText()).isEqualTo("RECOVER");
        awaitStates("NORMAL", "NORMAL");
    }

    @Test
    @Order(4)
    void partnerDownThroughTheApiMovesTheSecondaryToPartnerDown() throws Exception {
        madeThroughTheApi();
        Stack.script("partition");
        try {
            awaitState(B, "COMMUNICATIONS-INTERRUPTED");
            JsonNode answer = call("POST", "/api/v1/relationships/" + PAIR + "/partner-down?server=" + B, null)
                    .expect(200);
            assertThat(answer.get("state").asText()).isEqualTo("PARTNER-DOWN");
            awaitState(B, "PARTNER-DOWN");
        } finally {
            Stack.script("heal");
        }
    }

    /**
     * Least privilege in the databases: each service's role reaches its own database only, with its own password, and
     * may not create roles or databases. Tried with the roles the services run as.
     */
    @Test
    @Order(5)
    void eachServiceRoleReachesOnlyItsOwnDatabaseAndOnlyWithItsPassword() throws Exception {
        assertThatThrownBy(
                        () -> Stack.connect(A, "tandem_admin", Stack.LEASE_ROLE).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState())
                        .as("permission denied for the admin database")
                        .isEqualTo("42501"));
        assertThatThrownBy(() ->
                        Stack.connect(A, "tandem_dhcp_a", Stack.ADMIN_ROLE).close())
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        assertThatThrownBy(() -> DriverManager.getConnection(
                                "jdbc:postgresql://127.0.0.1:" + Stack.pgPort(A) + "/tandem_dhcp_a",
                                Stack.LEASE_ROLE,
                                "not-the-password")
                        .close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState())
                        .as("password authentication failed")
                        .isEqualTo("28P01"));
        for (String[] own : new String[][] {
            {A, "tandem_dhcp_a", Stack.LEASE_ROLE},
            {B, "tandem_dhcp_b", Stack.LEASE_ROLE},
            {A, "tandem_admin", Stack.ADMIN_ROLE}
        }) {
            try (Connection c = Stack.connect(own[0], own[1], own[2]);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT rolsuper, rolcreaterole, rolcreatedb,"
                            + " (SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database"
                            + " WHERE datname = current_database()) FROM pg_roles WHERE rolname = current_user")) {
                assertThat(rs.next()).isTrue();
                assertThat(List.of(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3)))
                        .as("%s may not act as superuser, create roles or create databases", own[2])
                        .containsOnly(false);
                assertThat(rs.getString(4)).as("%s owns %s", own[2], own[1]).isEqualTo(own[2]);
            }
        }
    }

    /**
     * No shared secret in clear on the bus: the admin API publishes the relationship's sealed, the local stack seals
     * those of its configuration files, and the coordinators, which hold the key, open them (the pair is NORMAL over an
     * authenticated link).
     */
    @Test
    @Order(6)
    void sharedSecretsTravelSealedOnTheConfigurationTopic() throws Exception {
        madeThroughTheApi();
        List<String> secrets = new java.util.ArrayList<>();
        for (var record : Stack.records("tandem.config")) {
            assertThat(record.value())
                    .as("configuration of %s", record.key())
                    .doesNotContain("api-made-secret")
                    .doesNotContain("system-test-secret");
            JsonNode failover = JSON.readTree(record.value()).path("failover");
            failover.forEach(r -> secrets.add(r.path("sharedSecret").asText(null)));
        }
        assertThat(secrets)
                .as("the relationships' secrets on tandem.config")
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s).startsWith("v1:"));
    }

    /**
     * The bus is a trust boundary: a client without credentials or with a wrong password is not let in, and a service's
     * principal may not write what another service writes (a gateway publishing a configuration or a partner update,
     * one server's coordinator a failover command of the other's) nor read another server's topics. Each refusal is in
     * the broker's log with the principal and the resource, and nothing reached the topics.
     */
    @Test
    @Order(7)
    void theBusRefusesEveryClientThatMayNotWriteOrReadATopic() throws Exception {
        madeThroughTheApi();
        awaitStates("NORMAL", "NORMAL");
        int configs = Stack.records("tandem.config").size();
        int commands = Stack.records("tandem." + A + ".failover-commands").size();
        int partnerUpdates = Stack.records("tandem." + A + ".partner-updates").size();
        String forged = "{\"server\":\"" + A + "\",\"revision\":" + Long.MAX_VALUE + "}";

        java.util.Properties anonymous = new java.util.Properties();
        anonymous.put("bootstrap.servers", Stack.kafka());
        assertThatThrownBy(() -> send(anonymous, "tandem.config", A, forged))
                .as("a client without credentials")
                .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        java.util.Properties wrongPassword = Stack.kafkaClient(BusAccess.principal(A, "gateway"));
        wrongPassword.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + BusAccess.principal(A, "gateway") + "\" password=\"not-the-password\";");
        assertThatThrownBy(() -> send(wrongPassword, "tandem.config", A, forged))
                .as("a client with a wrong password")
                .hasRootCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
        assertThatThrownBy(() -> send(Stack.kafkaClient(BusAccess.principal(A, "gateway")), "tandem.config", A, forged))
                .as("a gateway publishing a configuration")
                .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
        assertThatThrownBy(() -> send(
                        Stack.kafkaClient(BusAccess.principal(A, "gateway")),
                        "tandem." + A + ".partner-updates",
                        "x",
                        "{}"))
                .as("a gateway sending its lease-service a partner update")
                .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
        assertThatThrownBy(() -> send(
                        Stack.kafkaClient(BusAccess.principal(B, "coordinator")),
                        "tandem." + A + ".failover-commands",
                        PAIR,
                        "{}"))
                .as("the other server's coordinator sending a failover command")
                .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(
                Stack.kafkaClient(BusAccess.principal(B, "lease-service")),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            assertThatThrownBy(() -> consumer.partitionsFor("tandem." + A + ".lease-requests", Duration.ofSeconds(20)))
                    .as("the other server's lease-service reading this server's lease requests")
                    .isInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
        }

        assertThat(Stack.records("tandem.config")).hasSize(configs);
        assertThat(Stack.records("tandem." + A + ".failover-commands")).hasSize(commands);
        assertThat(Stack.records("tandem." + A + ".partner-updates")).hasSize(partnerUpdates);
        awaitStates("NORMAL", "NORMAL");
        String log = java.nio.file.Files.readString(
                java.nio.file.Path.of(Stack.env().get("TANDEM_RUN_DIR"), "logs", "kafka.log"));
        assertThat(log)
                .containsPattern("(?i)Failed authentication with /127\\.0\\.0\\.1")
                .containsPattern("(?i)User:" + BusAccess.principal(A, "gateway")
                        + " is Denied operation = WRITE .* on resource = Topic:LITERAL:tandem\\.config")
                .containsPattern("(?i)User:" + BusAccess.principal(B, "coordinator")
                        + " is Denied operation = \\w+ .* on resource = Topic:LITERAL:tandem\\." + A
                        + "\\.failover-commands");
    }

    /**
     * Nothing but the admin API and the partner steers a coordinator: a partner-down without the command credential or
     * with a wrong one, and garbage on the failover port from an address that is not the partner's, are refused,
     * counted by reason and logged, and the pair stays NORMAL.
     */
    @Test
    @Order(8)
    void aCommandWithoutTheCredentialAndAConnectionFromANonPartnerAreRefusedCountedAndLogged() throws Exception {
        awaitStates("NORMAL", "NORMAL");
        double missing = coordinatorCount("tandem_coordinator_commands_refused_total", "missing-credential");
        double wrong = coordinatorCount("tandem_coordinator_commands_refused_total", "wrong-credential");
        double notPartner = coordinatorCount("tandem_failover_connections_refused_total", "not-the-partner");
        madeThroughTheApi();
        String url = "http://127.0.0.1:" + (Stack.HTTP_BASE + 2) + "/api/v1/relationships/" + PAIR + "/partner-down";
        assertThat(Stack.run(
                                Duration.ofSeconds(15),
                                "curl",
                                "-s",
                                "-o",
                                "/dev/null",
                                "-w",
                                "%{http_code}",
                                "-X",
                                "POST",
                                url)
                        .strip())
                .isEqualTo("401");
        assertThat(Stack.run(
                                Duration.ofSeconds(15),
                                "curl",
                                "-s",
                                "-o",
                                "/dev/null",
                                "-w",
                                "%{http_code}",
                                "-X",
                                "POST",
                                "-H",
                                "Authorization: Bearer not-the-command-token",
                                url)
                        .strip())
                .isEqualTo("401");

        // the failover port of dhcp-a from this host's own address on the link (198.18.132.1), not dhcp-b's (.2)
        for (int i = 0; i < 2; i++) {
            try (var socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress("198.18.132.1", 10647), 5000);
                socket.setSoTimeout(10_000);
                byte[] garbage = new byte[64];
                new java.util.Random(i).nextBytes(garbage);
                try {
                    socket.getOutputStream().write(garbage);
                    assertThat(socket.getInputStream().read())
                            .as("the coordinator closes the connection")
                            .isEqualTo(-1);
                } catch (java.net.SocketException reset) {
                    // closed before the garbage was written or read: refused as well
                }
            }
        }

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(coordinatorCount("tandem_coordinator_commands_refused_total", "missing-credential"))
                    .isEqualTo(missing + 1);
            assertThat(coordinatorCount("tandem_coordinator_commands_refused_total", "wrong-credential"))
                    .isEqualTo(wrong + 1);
            assertThat(coordinatorCount("tandem_failover_connections_refused_total", "not-the-partner"))
                    .isEqualTo(notPartner + 2);
        });
        String log = java.nio.file.Files.readString(
                java.nio.file.Path.of(Stack.env().get("TANDEM_RUN_DIR"), "logs", "coordinator.log"));
        assertThat(log)
                .contains("Refused POST /api/v1/relationships/" + PAIR
                        + "/partner-down from 127.0.0.1: missing-credential")
                .contains(
                        "Refused POST /api/v1/relationships/" + PAIR + "/partner-down from 127.0.0.1: wrong-credential")
                .containsPattern("connection from /?198\\.18\\.132\\.1\\S* refused: the partner is 198\\.18\\.132\\.2");
        assertThat(JSON.readTree(Stack.relationships(A)))
                .filteredOn(r -> r.path("relationship").asText().equals(PAIR))
                .singleElement()
                .satisfies(r -> assertThat(r.path("state").asText()).isEqualTo("NORMAL"));
        awaitStates("NORMAL", "NORMAL");
    }

    /**
     * The operators' console in a real browser (Debian's Chromium, driven by playwright-core from npm): a reader sees
     * both servers NORMAL and no command, and finds the lease a real client just got with its history; an admin watches
     * the cut failover link on screen without reloading, puts a server into maintenance from the console (after a
     * confirmation that says what it does), sees the partner take over, and ends it. Screenshots go to
     * target/system/console (docs/console holds the ones the README shows).
     */
    @Test
    @Order(9)
    void theConsoleShowsThePairLiveAndAnAdminSteersItFromTheBrowser() throws Exception {
        madeThroughTheApi();
        String mac = "02:00:5e:70:00:09";
        Optional<String[]> lease = Pair.oneShot(mac);
        assertThat(lease).as("a client of the pair's LAN gets a lease").isPresent();
        await().atMost(WAIT).untilAsserted(() -> assertThat(call("GET", "/api/v1/leases?hardwareAddress=" + mac, null)
                        .expect(200)
                        .findValuesAsText("address"))
                .contains(lease.get()[0]));
        java.nio.file.Path console = Stack.ROOT.resolve("system-tests/console");
        assertThat(console.resolve("node_modules/playwright-core"))
                .as("playwright-core is installed (test.sh runs npm ci in system-tests/console)")
                .isDirectory();
        java.nio.file.Path shots = Stack.WORK.resolve("console");
        java.nio.file.Files.createDirectories(shots);
        Map<String, String> env = new java.util.HashMap<>(Stack.env());
        env.put("CONSOLE_URL", API);
        env.put("CONSOLE_ADMIN", "admin:" + Stack.ADMIN_PASSWORD);
        env.put("CONSOLE_READER", "viewer:" + Stack.READER_PASSWORD);
        env.put("CONSOLE_PAIR", PAIR);
        env.put("CONSOLE_A", A);
        env.put("CONSOLE_B", B);
        env.put("CONSOLE_MAC", mac);
        env.put("CONSOLE_ADDRESS", lease.get()[0]);
        env.put("CONSOLE_SHOTS", shots.toString());
        env.put(
                "CONSOLE_SCRIPT",
                Stack.ROOT.resolve("deploy/local/tandem-local.sh").toString());
        String out = Stack.run(
                Duration.ofMinutes(10),
                env,
                List.of("node", console.resolve("console.mjs").toString()));
        assertThat(out).contains("a reader sees both servers NORMAL").contains(A + " rejoined: both NORMAL");
        assertThat(shots.resolve("console-maintenance.png")).isNotEmptyFile();
        awaitStates("NORMAL", "NORMAL");
    }

    /**
     * Day-two operations through the API on the running pair: a reservation made on one server's scope is what a real
     * client gets from the server whose pool holds the address (the partner's copy changed with it); an admin ends a real client's
     * lease, through the granting server's coordinator and lease-service, and both servers' tables show it released
     * (the partner by the binding update); ending it again says there is nothing to end; reclaim answers on each
     * server.
     */
    @Test
    @Order(10)
    void aReservationServesARealClientAndAnAdminEndsALeaseOnBothServers() throws Exception {
        madeThroughTheApi();
        // the server whose pool holds the address gives it: a client of that server's share
        boolean primaryOwns = !Pair.backup(A, "198.18.135.150");
        String reserved = Pair.firstMac("02:00:5e:74:00", primaryOwns);
        call(
                        "PUT",
                        "/api/v1/servers/" + A + "/scopes/198.18.135.0/reservations/198.18.135.150",
                        Map.of("hardwareAddress", reserved, "hostname", "reserved-host"))
                .expect(201);
        assertThat(call("GET", "/api/v1/servers/" + B + "/scopes/198.18.135.0/reservations", null)
                        .expect(200)
                        .findValuesAsText("address"))
                .containsExactly("198.18.135.150");
        await().atMost(WAIT).untilAsserted(() -> assertThat(Pair.oneShot(reserved))
                .as("the reserved client")
                .hasValueSatisfying(l -> assertThat(l[0]).isEqualTo("198.18.135.150")));

        String mac = "02:00:5e:74:00:02";
        Optional<String[]> lease = Pair.oneShot(mac);
        assertThat(lease).isPresent();
        String address = lease.get()[0];
        String granting = lease.get()[1].equals(Pair.SERVER_ID_A) ? A : B;
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(leaseStates(address)).containsOnly("ACTIVE"));
        JsonNode ended = call("DELETE", "/api/v1/leases/" + granting + "/" + address, null)
                .expect(200);
        assertThat(ended.get("outcome").asText()).isEqualTo("released");
        // RELEASED on both (the partner by the binding update), then FREE where the partner's ack came (§5.11)
        await().atMost(WAIT).untilAsserted(() -> assertThat(leaseStates(address))
                .as("both servers")
                .hasSize(2)
                .isSubsetOf("RELEASED", "FREE"));
        assertThat(call("DELETE", "/api/v1/leases/" + granting + "/" + address, null)
                        .expect(404)
                        .get("detail")
                        .asText())
                .contains("holds no active lease");
        for (String server : List.of(A, B)) {
            assertThat(call("POST", "/api/v1/leases/" + server + "/reclaim", null)
                            .expect(200)
                            .get("outcome")
                            .asText())
                    .isEqualTo("done");
        }
        call("DELETE", "/api/v1/servers/" + A + "/scopes/198.18.135.0/reservations/198.18.135.150", null)
                .expect(204);
        awaitStates("NORMAL", "NORMAL");
    }

    /**
     * Dynamic DNS with real clients and a real BIND 9 in a namespace: the scope's ddns settings made through the API and
     * replicated to the partner; a udhcpc client's host name gets its A, DHCID and PTR records from the server that
     * bound it; during a handover the partner binds the same client and updates the same name (its DHCID is the
     * client's), and a new client's name; the records go when the leases expire.
     */
    @Test
    @Order(11)
    void dynamicDnsNamesRealClientsAndFollowsThemAcrossAHandover() throws Exception {
        madeThroughTheApi();
        Bind.start();
        String path = "/api/v1/servers/" + A + "/scopes/198.18.135.0";
        Map<String, Object> scope = Map.of(
                "subnet",
                Pair.SCOPE,
                "ranges",
                List.of(Map.of("first", "198.18.135.110", "last", "198.18.135.150")),
                "leaseTime",
                60,
                "options",
                Map.of("routers", "198.18.135.1"),
                "ddns",
                Map.of(
                        "forwardZone",
                        Bind.ZONE,
                        "reverseZone",
                        Bind.REVERSE_ZONE,
                        "server",
                        Bind.ADDRESS,
                        "key",
                        Bind.KEY));
        call("PUT", path, scope, call("GET", path, null).etag()).expect(200);
        call("POST", "/api/v1/relationships/" + PAIR + "/scopes/198.18.135.0/replicate?from=" + A, null)
                .expect(200);
        assertThat(call("GET", "/api/v1/servers/" + B + "/scopes/198.18.135.0", null)
                        .expect(200)
                        .at("/ddns/forwardZone")
                        .asText())
                .isEqualTo(Bind.ZONE);

        // a client of the primary's share, named by its host name option
        String one = Pair.firstMac("02:00:5e:75:00", true);
        String[] first = await().atMost(WAIT)
                .until(() -> Pair.oneShot(one, "-t 4 -T 1 -x hostname:ddns-one"), Optional::isPresent)
                .get();
        assertThat(first[1]).isEqualTo(Pair.SERVER_ID_A);
        await().atMost(WAIT).until(() -> Bind.dig("ddns-one." + Bind.ZONE, "A").equals(List.of(first[0])));
        assertThat(Bind.dig(Bind.ptr(first[0]), "PTR")).containsExactly("ddns-one." + Bind.ZONE + ".");
        assertThat(Bind.dig("ddns-one." + Bind.ZONE, "DHCID")).hasSize(1);

        // the primary hands over: the partner binds the same client and updates its name, and names a new client
        setPercentage(50);
        call("POST", "/api/v1/relationships/" + PAIR + "/maintenance?server=" + A, null)
                .expect(200);
        awaitStates("SHUTDOWN", "PARTNER-DOWN");
        try {
            String[] again = await().atMost(WAIT)
                    .until(() -> Pair.oneShot(one, "-t 4 -T 1 -x hostname:ddns-one"), Optional::isPresent)
                    .get();
            assertThat(again[1]).isEqualTo(Pair.SERVER_ID_B);
            await().atMost(WAIT)
                    .until(() -> serviceLog("lease-service-b").contains("Added DNS records of " + again[0] + " for "));
            assertThat(Bind.dig("ddns-one." + Bind.ZONE, "A")).containsExactly(again[0]);
            String two = Pair.firstMac("02:00:5e:75:01", true);
            String[] second = await().atMost(WAIT)
                    .until(() -> Pair.oneShot(two, "-t 4 -T 1 -x hostname:ddns-two"), Optional::isPresent)
                    .get();
            assertThat(second[1]).isEqualTo(Pair.SERVER_ID_B);
            await().atMost(WAIT)
                    .until(() -> Bind.dig("ddns-two." + Bind.ZONE, "A").equals(List.of(second[0])));
            assertThat(Bind.dig(Bind.ptr(second[0]), "PTR")).containsExactly("ddns-two." + Bind.ZONE + ".");
        } finally {
            call("DELETE", "/api/v1/relationships/" + PAIR + "/maintenance?server=" + A, null)
                    .expect(200);
        }
        awaitStates("NORMAL", "NORMAL");
        assertThat(serviceLog("lease-service")).doesNotContain("not added: the name has a DHCID record of another");
        assertThat(serviceLog("lease-service-b")).doesNotContain("not added: the name has a DHCID record of another");

        // nobody renews: the leases (60 s at most) expire and their records go
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> Bind.dig("ddns-one." + Bind.ZONE, "A").isEmpty()
                        && Bind.dig("ddns-two." + Bind.ZONE, "A").isEmpty());
        assertThat(Bind.dig("ddns-one." + Bind.ZONE, "DHCID")).isEmpty();
    }

    /** A service's log in the stack's run directory. */
    static String serviceLog(String name) throws IOException {
        return Files.readString(Path.of(Stack.env().get("TANDEM_RUN_DIR"), "logs", name + ".log"));
    }

    /** The state of an address in each server's lease table, as the admin API's read model has it. */
    static List<String> leaseStates(String address) throws Exception {
        return call("GET", "/api/v1/leases?address=" + address, null)
                .expect(200)
                .findValuesAsText("state");
    }

    /** The sum of a counter of dhcp-a's coordinator over its series with this reason. */
    static double coordinatorCount(String name, String reason) {
        return Stack.coordinatorMetrics(A)
                .lines()
                .filter(l -> l.startsWith(name + "{") && l.contains("reason=\"" + reason + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** Sends one record and waits for the broker's answer (bounded: a refused client fails within seconds). */
    static void send(java.util.Properties client, String topic, String key, String value) throws Exception {
        client.put("max.block.ms", "5000");
        client.put("delivery.timeout.ms", "8000");
        client.put("request.timeout.ms", "5000");
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(
                client,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, key, value))
                    .get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    static void setPercentage(int percent) throws Exception {
        Response current = call("GET", "/api/v1/relationships/" + PAIR, null);
        ObjectNode doc = (ObjectNode) current.expect(200);
        for (String readOnly : new String[] {"sharedSecretSet", "scopes", "empty", "version"}) {
            doc.remove(readOnly);
        }
        doc.put("loadBalancePercent", percent);
        call("PUT", "/api/v1/relationships/" + PAIR, doc, current.etag()).expect(200);
        String buckets = dev.tandem.protocol.failover.LoadBalance.Buckets.primaryPercent(percent)
                .hex();
        // both coordinators run the new split (they reconnect with it) and are back in NORMAL
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (JsonNode s : call("GET", "/api/v1/relationships/" + PAIR + "/state", null)
                    .expect(200)
                    .get("servers")) {
                assertThat(s.path("status").path("hashBuckets").asText()).isEqualTo(buckets);
                assertThat(s.path("status").path("state").asText()).isEqualTo("NORMAL");
            }
        });
    }

    static void awaitStates(String a, String b) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode servers = call("GET", "/api/v1/relationships/" + PAIR + "/state", null)
                    .expect(200)
                    .get("servers");
            assertThat(servers.get(0).path("status").path("state").asText()).isEqualTo(a);
            assertThat(servers.get(1).path("status").path("state").asText()).isEqualTo(b);
            for (JsonNode server : servers) {
                JsonNode status = server.path("status");
                // what an operator reads off the state resource: since when, the link, the backlog, the clock
                assertThat(java.time.Instant.parse(status.path("since").asText()))
                        .isBefore(java.time.Instant.now());
                if (a.equals("NORMAL") && b.equals("NORMAL")) {
                    assertThat(status.path("communicating").asBoolean()).isTrue();
                }
                assertThat(status.path("pendingUpdates").isNumber()).isTrue();
                assertThat(status.path("clockSkewSeconds").isNumber()).isTrue();
            }
        });
    }

    static void awaitState(String server, String state) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode servers = call("GET", "/api/v1/relationships/" + PAIR + "/state", null)
                    .expect(200)
                    .get("servers");
            List<String> states = new java.util.ArrayList<>();
            for (JsonNode s : servers) {
                if (s.get("server").asText().equals(server)) {
                    states.add(s.path("status").path("state").asText());
                }
            }
            assertThat(states).as("the state of %s", server).containsExactly(state);
        });
    }

    record Response(int status, String body, String etag) {
        JsonNode expect(int expected) throws IOException {
            assertThat(status)
                    .as("status of an admin API call answering %s", body)
                    .isEqualTo(expected);
            return JSON.readTree(body);
        }
    }

    static Response call(String method, String path, Object body) throws Exception {
        return call(method, path, body, null);
    }

    static Response call(String method, String path, Object body, String ifMatch) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(API + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", AUTH)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(
                r.statusCode(), r.body(), r.headers().firstValue("ETag").orElse(null));
    }
}

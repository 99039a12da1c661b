package dev.tandem.admin.rest;

import static dev.tandem.admin.rest.Api.admin;
import static dev.tandem.admin.rest.Api.changeScope;
import static dev.tandem.admin.rest.Api.createServer;
import static dev.tandem.admin.rest.Api.published;
import static dev.tandem.admin.rest.Api.reader;
import static dev.tandem.admin.rest.Api.relationship;
import static dev.tandem.admin.rest.Api.scope;
import static dev.tandem.admin.rest.Api.server;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.bus.ScopeStatistics;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.protocol.config.SecretBox;
import dev.tandem.testsupport.ServerConfigs;
import dev.tandem.testsupport.TandemTestResources;
import dev.tandem.testsupport.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every resource of the admin API against real PostgreSQL and Kafka: what it stores, what it refuses and why, and the
 * configuration documents it publishes for the services.
 */
@QuarkusTest
@QuarkusTestResource(
        value = TandemTestResources.class,
        initArgs = @ResourceArg(name = "database", value = "admin"),
        restrictToAnnotatedClass = true)
class AdminApiTest {

    /** The admin API's secret key in the test profile (application.properties): it seals shared secrets. */
    static final String TEST_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    static final Duration WAIT = Duration.ofSeconds(20);

    // --- Servers
    // ------------------------------------------------------------------------------------------------------

    @Test
    void aServerIsCreatedReadReplacedWithItsEtagAndDeleted() {
        createServer("srv-crud", "192.0.2.1", "198.51.100.1");
        String etag = reader().get("/api/v1/servers/srv-crud")
                .then()
                .statusCode(200)
                .body("failoverPort", is(647))
                .body("offerTimeout", is(30))
                .extract()
                .header("ETag");
        assertThat(etag).isNotBlank();

        Map<String, Object> changed = server("srv-crud", "192.0.2.9", "198.51.100.1");
        changed.put("gatewayAddresses", List.of("192.0.2.67"));
        // a replace without If-Match could overwrite a concurrent change: refused
        admin().body(changed).put("/api/v1/servers/srv-crud").then().statusCode(428);
        admin().header("If-Match", etag)
                .body(changed)
                .put("/api/v1/servers/srv-crud")
                .then()
                .statusCode(200)
                .body("serverIdentifier", is("192.0.2.9"))
                .body("gatewayAddresses", contains("192.0.2.67"));
        // the old ETag is stale now
        admin().header("If-Match", etag)
                .body(changed)
                .put("/api/v1/servers/srv-crud")
                .then()
                .statusCode(412)
                .contentType("application/problem+json");

        await().atMost(WAIT).untilAsserted(() -> assertThat(published("srv-crud"))
                .extracting(ServerConfig::serverIdentifier)
                .isEqualTo("192.0.2.9"));

        admin().delete("/api/v1/servers/srv-crud").then().statusCode(204);
        reader().get("/api/v1/servers/srv-crud").then().statusCode(404).body("detail", containsString("srv-crud"));
    }

    @Test
    void badServerBodiesAreRefusedWithWhatAndWhy() {
        Map<String, Object> bad = server("Bad_Name", "300.1.1.1", "198.51.100.1");
        bad.put("failoverPort", 70000);
        admin().body(bad)
                .post("/api/v1/servers")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors", hasItem(containsString("name: must be 1-63 lower-case")))
                .body("errors", hasItem(containsString("serverIdentifier: must be an IPv4 address")))
                .body("errors", hasItem(containsString("failoverPort")));
        admin().body("{\"name\":\"x\",\"serverIdentifer\":\"192.0.2.1\"}")
                .post("/api/v1/servers")
                .then()
                .statusCode(400)
                .body("detail", containsString("unknown field 'serverIdentifer'"));
        admin().body("{not json").post("/api/v1/servers").then().statusCode(400);
        createServer("srv-twice", "192.0.2.1", "198.51.100.1");
        admin().body(server("srv-twice", "192.0.2.1", "198.51.100.1"))
                .post("/api/v1/servers")
                .then()
                .statusCode(409);
    }

    // --- Scopes
    // -------------------------------------------------------------------------------------------------------

    @Test
    void aScopeReachesItsServersConfiguration() {
        createServer("srv-scope", "192.0.2.1", "198.51.100.1");
        Map<String, Object> s = scope("10.10.0.0/24", "10.10.0.10", "10.10.0.99");
        s.put("exclusions", List.of(Map.of("first", "10.10.0.50", "last", "10.10.0.59")));
        s.put("reservations", List.of(Map.of("hardwareAddress", "02:00:5e:00:00:01", "address", "10.10.0.5")));
        admin().body(s)
                .post("/api/v1/servers/srv-scope/scopes")
                .then()
                .statusCode(201)
                .header("Location", containsString("/api/v1/servers/srv-scope/scopes/10.10.0.0"))
                .body("id", is("10.10.0.0"))
                .body("servedBy", contains("srv-scope"));

        await().atMost(WAIT).untilAsserted(() -> {
            ServerConfig c = published("srv-scope");
            assertThat(c.scopes()).singleElement().satisfies(sc -> {
                assertThat(sc.subnet()).isEqualTo("10.10.0.0/24");
                assertThat(sc.exclusions()).hasSize(1);
                assertThat(sc.reservations())
                        .singleElement()
                        .extracting(ServerConfig.Reservation::address)
                        .isEqualTo("10.10.0.5");
            });
        });
        long revision = published("srv-scope").revision();

        String etag = reader().get("/api/v1/servers/srv-scope/scopes/10.10.0.0")
                .then()
                .extract()
                .header("ETag");
        s.put("leaseTime", 7200);
        admin().header("If-Match", etag)
                .body(s)
                .put("/api/v1/servers/srv-scope/scopes/10.10.0.0")
                .then()
                .statusCode(200)
                .body("leaseTime", is(7200));
        await().atMost(WAIT).untilAsserted(() -> {
            ServerConfig c = published("srv-scope");
            assertThat(c.revision()).isGreaterThan(revision);
            assertThat(c.scopes().get(0).leaseTime()).isEqualTo(7200);
        });
        reader().get("/api/v1/scopes").then().statusCode(200).body("subnet", hasItem("10.10.0.0/24"));

        admin().delete("/api/v1/servers/srv-scope/scopes/10.10.0.0").then().statusCode(204);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(published("srv-scope").scopes()).isEmpty());
    }

    @Test
    void scopesThatWouldBreakTheNetworkAreRefusedAndNothingChanges() {
        createServer("srv-rules", "192.0.2.1", "198.51.100.1");
        createServer("srv-other", "192.0.2.2", "198.51.100.2");
        admin().body(scope("10.20.0.0/24", "10.20.0.10", "10.20.0.99"))
                .post("/api/v1/servers/srv-rules/scopes")
                .then()
                .statusCode(201);

        // a range outside the subnet
        expectRefused("srv-rules", scope("10.21.0.0/24", "10.22.0.10", "10.22.0.99"), "outside the subnet");
        // overlapping another scope on the same server
        expectRefused("srv-rules", scope("10.20.0.0/16", "10.20.5.10", "10.20.5.99"), "overlaps");
        // the same subnet on another server, outside a relationship: two servers would hand out the same addresses
        expectRefused("srv-other", scope("10.20.0.0/24", "10.20.0.10", "10.20.0.99"), "only as partners");
        // a reservation outside the subnet
        Map<String, Object> s = scope("10.23.0.0/24", "10.23.0.10", "10.23.0.99");
        s.put("reservations", List.of(Map.of("hardwareAddress", "02:00:5e:00:00:02", "address", "10.99.0.5")));
        expectRefused("srv-rules", s, "not a host address of 10.23.0.0/24");
        // a reservation that is an address of another scope, on this server or another
        Map<String, Object> other = scope("10.27.0.0/24", "10.27.0.10", "10.27.0.99");
        other.put("reservations", List.of(Map.of("hardwareAddress", "02:00:5e:00:00:03", "address", "10.20.0.5")));
        expectRefused(
                "srv-rules",
                other,
                "reservation 10.20.0.5 of scope 10.27.0.0/24 on srv-rules is an address of"
                        + " scope 10.20.0.0/24 on srv-rules");
        expectRefused("srv-other", other, "is an address of scope 10.20.0.0/24 on srv-rules");
        // an option value of the wrong type
        Map<String, Object> o = scope("10.24.0.0/24", "10.24.0.10", "10.24.0.99");
        o.put("options", Map.of("routers", "not-an-address"));
        expectRefused("srv-rules", o, "routers");
        // a subnet that is not one
        expectRefused("srv-rules", scope("10.25.0.1/24", "10.25.0.10", "10.25.0.99"), "host bits set");
        // shape errors come first, with the field
        Map<String, Object> shape = scope("10.26.0.0/24", "10.26.0.10", "10.26.0.99");
        shape.remove("ranges");
        shape.put("leaseTime", 5);
        admin().body(shape)
                .post("/api/v1/servers/srv-rules/scopes")
                .then()
                .statusCode(400)
                .body("errors", hasItem(containsString("ranges")))
                .body("errors", hasItem(containsString("leaseTime")));

        reader().get("/api/v1/servers/srv-rules/scopes").then().body("subnet", contains("10.20.0.0/24"));
        reader().get("/api/v1/servers/srv-other/scopes").then().body("size()", is(0));
    }

    private static void expectRefused(String server, Map<String, Object> scope, String why) {
        admin().body(scope)
                .post("/api/v1/servers/" + server + "/scopes")
                .then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("title", is("Invalid configuration"))
                .body("errors", hasItem(containsString(why)));
    }

    // --- Relationships
    // ------------------------------------------------------------------------------------------------

    @Test
    void aRelationshipIsEmptyUntilItsFirstScopeThenBothServersServeIt() throws Exception {
        createServer("fo-a", "192.0.2.11", "198.51.100.11");
        createServer("fo-b", "192.0.2.12", "198.51.100.12");
        admin().body(scope("10.30.0.0/24", "10.30.0.10", "10.30.0.200"))
                .post("/api/v1/servers/fo-a/scopes")
                .then()
                .statusCode(201);
        // fo-a's document with its scope is out
        await().atMost(WAIT).untilAsserted(() -> assertThat(published("fo-a"))
                .isNotNull()
                .extracting(ServerConfig::revision)
                .isEqualTo(storedRevision("fo-a")));
        long before = storedRevision("fo-a");
        Map<String, Object> r = relationship("fo-ab", "fo-a", "fo-b");
        r.put("sharedSecret", "a-long-shared-secret");
        r.put("loadBalancePercent", 60);
        admin().body(r)
                .post("/api/v1/relationships")
                .then()
                .statusCode(201)
                .body("empty", is(true))
                .body("sharedSecretSet", is(true))
                .body("$", not(hasKey("sharedSecret")))
                .body("port", is(647));
        // the secret is stored encrypted
        try (var c = TestPostgres.connect("admin");
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT shared_secret FROM relationship WHERE name = 'fo-ab'")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("v1:").doesNotContain("a-long-shared-secret");
        }
        assertThat(storedRevision("fo-a"))
                .as("an empty relationship is not run: nothing changes for its servers")
                .isEqualTo(before);
        assertThat(published("fo-a").failover()).isNull();

        admin().body(Map.of("scope", "10.30.0.0"))
                .post("/api/v1/relationships/fo-ab/scopes")
                .then()
                .statusCode(200)
                .body("empty", is(false))
                .body("scopes", contains("10.30.0.0/24"));
        // the scope was copied to the partner
        reader().get("/api/v1/servers/fo-b/scopes/10.30.0.0")
                .then()
                .statusCode(200)
                .body("relationship", is("fo-ab"))
                .body("servedBy", contains("fo-b", "fo-a"));
        await().atMost(WAIT).untilAsserted(() -> {
            ServerConfig a = published("fo-a");
            ServerConfig b = published("fo-b");
            assertThat(a.failover()).singleElement().satisfies(f -> {
                assertThat(f.role()).isEqualTo("primary");
                assertThat(f.peerAddress()).isEqualTo("198.51.100.12");
                // sealed on the bus: only a coordinator with the key opens it
                assertThat(f.sharedSecret()).startsWith("v1:").doesNotContain("a-long-shared-secret");
                assertThat(new SecretBox(TEST_KEY).open(f.sharedSecret())).isEqualTo("a-long-shared-secret");
                assertThat(f.loadBalancePercent()).isEqualTo(60);
            });
            assertThat(b.failover())
                    .singleElement()
                    .extracting(ServerConfig.Relationship::role)
                    .isEqualTo("secondary");
            assertThat(b.scopes()).extracting(ServerConfig.Scope::subnet).containsExactly("10.30.0.0/24");
        });

        // nor in clear in the configuration outbox (it carries the secret sealed)
        try (var c = TestPostgres.connect("admin");
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT document FROM server_config WHERE server IN ('fo-a', 'fo-b')")) {
            int documents = 0;
            while (rs.next()) {
                documents++;
                assertThat(rs.getString(1)).doesNotContain("a-long-shared-secret");
            }
            assertThat(documents).isEqualTo(2);
        }

        // a scope in a relationship is not deleted behind its back
        admin().delete("/api/v1/servers/fo-b/scopes/10.30.0.0").then().statusCode(409);
        // nor are its servers changed
        String etag =
                reader().get("/api/v1/relationships/fo-ab").then().extract().header("ETag");
        Map<String, Object> swapped = relationship("fo-ab", "fo-b", "fo-a");
        admin().header("If-Match", etag)
                .body(swapped)
                .put("/api/v1/relationships/fo-ab")
                .then()
                .statusCode(409);

        // modify the percentage: both servers get it; the secret stays when not sent
        Map<String, Object> modified = relationship("fo-ab", "fo-a", "fo-b");
        modified.put("loadBalancePercent", 25);
        admin().header("If-Match", etag)
                .body(modified)
                .put("/api/v1/relationships/fo-ab")
                .then()
                .statusCode(200)
                .body("loadBalancePercent", is(25))
                .body("sharedSecretSet", is(true));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(published("fo-a").failover().get(0).loadBalancePercent()).isEqualTo(25);
            assertThat(published("fo-b").failover().get(0).loadBalancePercent()).isEqualTo(25);
            assertThat(new SecretBox(TEST_KEY)
                            .open(published("fo-b").failover().get(0).sharedSecret()))
                    .as("the secret stays when not sent")
                    .isEqualTo("a-long-shared-secret");
        });

        // replication: a change on the primary's copy reaches the partner only when replicated
        Map<String, Object> changed = scope("10.30.0.0/24", "10.30.0.10", "10.30.0.150");
        String scopeTag = reader().get("/api/v1/servers/fo-a/scopes/10.30.0.0")
                .then()
                .extract()
                .header("ETag");
        admin().header("If-Match", scopeTag)
                .body(changed)
                .put("/api/v1/servers/fo-a/scopes/10.30.0.0")
                .then()
                .statusCode(200);
        reader().get("/api/v1/servers/fo-b/scopes/10.30.0.0").then().body("ranges[0].last", is("10.30.0.200"));
        admin().post("/api/v1/relationships/fo-ab/replicate?from=fo-a")
                .then()
                .statusCode(200)
                .body("scopes", contains("10.30.0.0/24"));
        reader().get("/api/v1/servers/fo-b/scopes/10.30.0.0").then().body("ranges[0].last", is("10.30.0.150"));
        admin().post("/api/v1/relationships/fo-ab/replicate?from=fo-x").then().statusCode(400);
        // one scope, and every failover scope of a server, the other way round
        changeScope("fo-b", "10.30.0.0", scope("10.30.0.0/24", "10.30.0.10", "10.30.0.120"));
        reader().get("/api/v1/servers/fo-a/scopes/10.30.0.0").then().body("ranges[0].last", is("10.30.0.150"));
        admin().post("/api/v1/relationships/fo-ab/scopes/10.30.0.0/replicate?from=fo-b")
                .then()
                .statusCode(200)
                .body("scopes", contains("10.30.0.0/24"));
        reader().get("/api/v1/servers/fo-a/scopes/10.30.0.0").then().body("ranges[0].last", is("10.30.0.120"));
        changeScope("fo-b", "10.30.0.0", scope("10.30.0.0/24", "10.30.0.10", "10.30.0.130"));
        admin().post("/api/v1/servers/fo-b/replicate").then().statusCode(200).body("scopes", contains("10.30.0.0/24"));
        reader().get("/api/v1/servers/fo-a/scopes/10.30.0.0").then().body("ranges[0].last", is("10.30.0.130"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                        published("fo-a").scopes().get(0).ranges().get(0).last())
                .isEqualTo("10.30.0.130"));
        admin().post("/api/v1/relationships/fo-ab/scopes/10.99.0.0/replicate?from=fo-a")
                .then()
                .statusCode(404);
        await().atMost(WAIT).untilAsserted(() -> reader().get("/api/v1/servers/fo-a/status")
                .then()
                .statusCode(200)
                .body("configPublished", is(true))
                .body("coordinator.reachable", is(false))
                .body("coordinator.error", containsString("no coordinatorUrl")));

        // removing the relationship needs the server that keeps the scopes
        admin().delete("/api/v1/relationships/fo-ab")
                .then()
                .statusCode(400)
                .body("detail", containsString("keepScopesOn"));
        admin().delete("/api/v1/relationships/fo-ab?keepScopesOn=fo-b").then().statusCode(204);
        reader().get("/api/v1/servers/fo-a/scopes/10.30.0.0").then().statusCode(404);
        reader().get("/api/v1/servers/fo-b/scopes/10.30.0.0")
                .then()
                .statusCode(200)
                .body("$", not(hasKey("relationship")));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(published("fo-a").scopes()).isEmpty();
            assertThat(published("fo-a").failover()).isNull();
            assertThat(published("fo-b").scopes()).hasSize(1);
        });
    }

    @Test
    void aScopeLeavesARelationshipKeptOnTheChosenServer() {
        createServer("rm-a", "192.0.2.21", "198.51.100.21");
        createServer("rm-b", "192.0.2.22", "198.51.100.22");
        createServer("rm-c", "192.0.2.23", "198.51.100.23");
        admin().body(scope("10.40.0.0/24", "10.40.0.10", "10.40.0.200")).post("/api/v1/servers/rm-b/scopes");
        admin().body(relationship("rm-ab", "rm-a", "rm-b"))
                .post("/api/v1/relationships")
                .then()
                .statusCode(201);
        admin().body(relationship("rm-ac", "rm-a", "rm-c"))
                .post("/api/v1/relationships")
                .then()
                .statusCode(201);
        admin().body(Map.of("scope", "10.40.0.0/24"))
                .post("/api/v1/relationships/rm-ab/scopes")
                .then()
                .statusCode(200);
        // one scope, one relationship
        admin().body(Map.of("scope", "10.40.0.0"))
                .post("/api/v1/relationships/rm-ac/scopes")
                .then()
                .statusCode(409)
                .body("detail", containsString("rm-ab"));
        admin().body(Map.of("scope", "10.41.0.0"))
                .post("/api/v1/relationships/rm-ab/scopes")
                .then()
                .statusCode(404);

        admin().delete("/api/v1/relationships/rm-ab/scopes/10.40.0.0?force=true")
                .then()
                .statusCode(400)
                .body("detail", containsString("keepOn"));
        admin().delete("/api/v1/relationships/rm-ab/scopes/10.40.0.0?keepOn=rm-c&force=true")
                .then()
                .statusCode(400);
        // Unless forced, only while both coordinators say NORMAL (these have none to ask)
        admin().delete("/api/v1/relationships/rm-ab/scopes/10.40.0.0?keepOn=rm-a")
                .then()
                .statusCode(409)
                .body("detail", containsString("only while both servers are NORMAL"))
                .body("detail", containsString("rm-b cannot be asked (no coordinatorUrl configured)"));
        reader().get("/api/v1/servers/rm-b/scopes/10.40.0.0").then().statusCode(200);
        admin().delete("/api/v1/relationships/rm-ab/scopes/10.40.0.0?keepOn=rm-a&force=true")
                .then()
                .statusCode(200)
                .body("empty", is(true));
        reader().get("/api/v1/servers/rm-a/scopes/10.40.0.0").then().statusCode(200);
        reader().get("/api/v1/servers/rm-b/scopes/10.40.0.0").then().statusCode(404);
        // a server in a relationship cannot be deleted
        admin().delete("/api/v1/servers/rm-c").then().statusCode(409).body("detail", containsString("relationship"));
    }

    /**
     * Reservations as a resource of their own: made, changed and removed one address at a time, on the partner's copy
     * of the scope too, published to both servers; refused with a problem document when they could not work.
     */
    @Test
    void aReservationIsMadeChangedAndRemovedOnBothCopiesOfTheScope() {
        createServer("rs-a", "192.0.2.81", "198.51.100.81");
        createServer("rs-b", "192.0.2.82", "198.51.100.82");
        admin().body(scope("10.90.0.0/24", "10.90.0.10", "10.90.0.200"))
                .post("/api/v1/servers/rs-a/scopes")
                .then()
                .statusCode(201);
        admin().body(relationship("rs-ab", "rs-a", "rs-b"))
                .post("/api/v1/relationships")
                .then()
                .statusCode(201);
        admin().body(Map.of("scope", "10.90.0.0"))
                .post("/api/v1/relationships/rs-ab/scopes")
                .then()
                .statusCode(200);
        String reservations = "/api/v1/servers/rs-a/scopes/10.90.0.0/reservations/";

        admin().body(Map.of("hardwareAddress", "02:42:c0:a8:00:14", "hostname", "printer"))
                .put(reservations + "10.90.0.20")
                .then()
                .statusCode(201)
                .header("Location", containsString("/reservations/10.90.0.20"))
                .body("address", is("10.90.0.20"))
                .body("hostname", is("printer"));
        reader().get("/api/v1/servers/rs-b/scopes/10.90.0.0/reservations")
                .then()
                .statusCode(200)
                .body("address", contains("10.90.0.20"))
                .body("[0].hardwareAddress", is("02:42:c0:a8:00:14"));
        await().atMost(WAIT).untilAsserted(() -> {
            for (String server : List.of("rs-a", "rs-b")) {
                assertThat(published(server).scopes()).singleElement().satisfies(s -> assertThat(s.reservations())
                        .as(server)
                        .containsExactly(
                                new ServerConfig.Reservation("02:42:c0:a8:00:14", null, "10.90.0.20", "printer")));
            }
        });

        admin().body(Map.of("hardwareAddress", "02:42:c0:a8:00:15"))
                .put("/api/v1/servers/rs-b/scopes/10.90.0.0/reservations/10.90.0.20")
                .then()
                .statusCode(200)
                .body("hardwareAddress", is("02:42:c0:a8:00:15"));
        reader().get(reservations + "10.90.0.20")
                .then()
                .statusCode(200)
                .body("hardwareAddress", is("02:42:c0:a8:00:15"));

        // what could not work is refused, and nothing changes
        admin().body(Map.of("hardwareAddress", "02:42:c0:a8:00:15"))
                .put(reservations + "10.90.0.21")
                .then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("errors", hasItem(containsString("two reservations")));
        admin().body(Map.of("hardwareAddress", "02:42:c0:a8:00:16"))
                .put(reservations + "10.91.0.1")
                .then()
                .statusCode(422)
                .contentType("application/problem+json");
        admin().body(Map.of("hardwareAddress", "not a mac"))
                .put(reservations + "10.90.0.22")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        admin().body(Map.of("hostname", "nobody"))
                .put(reservations + "10.90.0.23")
                .then()
                .statusCode(422)
                .body("errors", hasItem(containsString("needs a hardwareAddress or a clientId")));
        reader().body(Map.of("hardwareAddress", "02:42:c0:a8:00:17"))
                .put(reservations + "10.90.0.24")
                .then()
                .statusCode(403);
        reader().get(reservations + "not-an-ip").then().statusCode(404).contentType("application/problem+json");
        reader().get("/api/v1/servers/rs-a/scopes/10.90.0.0/reservations")
                .then()
                .body("address", contains("10.90.0.20"));

        // an address another client holds is not reserved: either server would give it to the reserved client
        ServerConfigs.publish(
                Topics.LEASE_EVENTS,
                "10.90.0.30",
                event("rs-b", "10.90.0.0/24", 1, "committed", "ACTIVE", "10.90.0.30", "02:00:5e:00:90:1e", "pc"));
        await().atMost(WAIT)
                .untilAsserted(() ->
                        reader().get("/api/v1/leases?address=10.90.0.30").then().body("state", contains("ACTIVE")));
        admin().body(Map.of("hardwareAddress", "02:42:c0:a8:00:30"))
                .put(reservations + "10.90.0.30")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("is leased to 02005e00901e on rs-b"));
        admin().body(Map.of("hardwareAddress", "02:00:5e:00:90:1e"))
                .put(reservations + "10.90.0.30")
                .then()
                .statusCode(201);
        admin().delete(reservations + "10.90.0.30").then().statusCode(204);

        admin().delete(reservations + "10.90.0.20").then().statusCode(204);
        admin().delete(reservations + "10.90.0.20").then().statusCode(404);
        reader().get("/api/v1/servers/rs-b/scopes/10.90.0.0/reservations")
                .then()
                .body("size()", is(0));
        await().atMost(WAIT).untilAsserted(() -> assertThat(published("rs-b").scopes())
                .singleElement()
                .satisfies(s -> assertThat(s.reservations()).isNullOrEmpty()));
    }

    /**
     * Ending a lease and reclaiming go through the server's coordinator: for admins only, with a problem document for
     * a bad address, an unknown server or a server whose coordinator cannot be asked (the real chain runs in the system
     * tests).
     */
    @Test
    void leaseOperationsNeedTheAdminRoleAValidAddressAndAServerWithACoordinator() {
        createServer("lc-a", "192.0.2.91", "198.51.100.91");
        reader().delete("/api/v1/leases/lc-a/10.92.0.10").then().statusCode(403);
        reader().post("/api/v1/leases/lc-a/reclaim").then().statusCode(403);
        admin().delete("/api/v1/leases/lc-a/not-an-ip").then().statusCode(400).contentType("application/problem+json");
        admin().delete("/api/v1/leases/nobody/10.92.0.10").then().statusCode(404);
        admin().delete("/api/v1/leases/lc-a/10.92.0.10")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("no coordinatorUrl"));
        admin().post("/api/v1/leases/lc-a/reclaim").then().statusCode(409);
    }

    @Test
    void relationshipsThatCannotWorkAreRefused() {
        createServer("bad-a", "192.0.2.31", "198.51.100.31");
        createServer("bad-b", "192.0.2.32", "198.51.100.32");
        Map<String, Object> r = relationship("bad", "bad-a", "bad-a");
        admin().body(r)
                .post("/api/v1/relationships")
                .then()
                .statusCode(422)
                .body("detail", containsString("both bad-a"));
        r = relationship("bad", "bad-a", "nobody");
        admin().body(r)
                .post("/api/v1/relationships")
                .then()
                .statusCode(422)
                .body("detail", containsString("no server nobody"));
        Map<String, Object> numbers = new HashMap<>(relationship("bad", "bad-a", "bad-b"));
        numbers.put("loadBalancePercent", 101);
        numbers.put("mclt", 0);
        numbers.put("mode", "active-active");
        admin().body(numbers)
                .post("/api/v1/relationships")
                .then()
                .statusCode(400)
                .body("errors", hasItem(containsString("loadBalancePercent")))
                .body("errors", hasItem(containsString("mclt")))
                .body("errors", hasItem(containsString("mode: must be load-balance or hot-standby")));
        Map<String, Object> percentages = new HashMap<>(relationship("bad", "bad-a", "bad-b"));
        percentages.put("loadBalancePercent", -1);
        percentages.put("reservePercent", 101);
        admin().body(percentages)
                .post("/api/v1/relationships")
                .then()
                .statusCode(400)
                .body("errors", hasItem(containsString("loadBalancePercent")))
                .body("errors", hasItem(containsString("reservePercent")));
        Map<String, Object> absurd = new HashMap<>(relationship("bad", "bad-a", "bad-b"));
        absurd.put("mclt", 100_000_000);
        admin().body(absurd)
                .post("/api/v1/relationships")
                .then()
                .statusCode(400)
                .body("errors", hasItem(containsString("mclt")));
        Map<String, Object> shortSecret = new HashMap<>(relationship("bad", "bad-a", "bad-b"));
        shortSecret.put("sharedSecret", "short");
        admin().body(shortSecret)
                .post("/api/v1/relationships")
                .then()
                .statusCode(422)
                .body("errors", hasItem(containsString("sharedSecret must have at least 8")));
        shortSecret.put("sharedSecret", "v1:looks-sealed-already");
        admin().body(shortSecret)
                .post("/api/v1/relationships")
                .then()
                .statusCode(422)
                .body("errors", hasItem(containsString("not begin with v1:")));
        reader().get("/api/v1/relationships/bad").then().statusCode(404);
    }

    @Test
    void stateAndCommandsSayWhenACoordinatorCannotBeReached() {
        createServer("st-a", "192.0.2.41", "198.51.100.41");
        Map<String, Object> b = server("st-b", "192.0.2.42", "198.51.100.42");
        b.put("coordinatorUrl", "http://127.0.0.1:9"); // nothing listens on discard
        admin().body(b).post("/api/v1/servers").then().statusCode(201);
        admin().body(relationship("st-ab", "st-a", "st-b"))
                .post("/api/v1/relationships")
                .then()
                .statusCode(201);

        reader().get("/api/v1/relationships/st-ab/state")
                .then()
                .statusCode(200)
                .body("servers.server", contains("st-a", "st-b"))
                .body("servers.reachable", contains(false, false))
                .body("servers[0].error", containsString("no coordinatorUrl"));
        admin().post("/api/v1/relationships/st-ab/partner-down?server=st-b")
                .then()
                .statusCode(502)
                .body("title", is("Coordinator unreachable"));
        admin().post("/api/v1/relationships/st-ab/partner-down?server=st-a")
                .then()
                .statusCode(409);
        admin().post("/api/v1/relationships/st-ab/maintenance?server=st-b")
                .then()
                .statusCode(502);
        admin().delete("/api/v1/relationships/st-ab/maintenance?server=st-b")
                .then()
                .statusCode(502);
        admin().post("/api/v1/relationships/st-ab/maintenance?server=st-a")
                .then()
                .statusCode(409);
        admin().post("/api/v1/relationships/st-ab/partner-down?server=elsewhere")
                .then()
                .statusCode(400);
    }

    // Leases and utilisation

    static LeaseEvent event(long sequence, String type, String state, String address, String hw, String host) {
        return event("lz-a", "10.60.0.0/24", sequence, type, state, address, hw, host);
    }

    static LeaseEvent event(
            String server,
            String scope,
            long sequence,
            String type,
            String state,
            String address,
            String hw,
            String host) {
        return new LeaseEvent(
                LeaseEvent.VERSION,
                "ev-" + sequence + "-" + address,
                type,
                server,
                scope,
                address,
                state,
                "hw:1:" + hw.replace(":", ""),
                hw.replace(":", ""), // as the lease-service writes it
                "01" + hw.replace(":", ""),
                host,
                sequence,
                Instant.now(),
                Instant.now().plusSeconds(3600));
    }

    @Test
    void leasesAreFoundByAddressHardwareAddressClientIdHostnameAndScope() {
        ServerConfigs.publish(
                Topics.LEASE_EVENTS,
                "10.60.0.10",
                event(1, "committed", "ACTIVE", "10.60.0.10", "02:00:5e:00:60:0a", "Printer-1"));
        ServerConfigs.publish(
                Topics.LEASE_EVENTS,
                "10.60.0.11",
                event(2, "committed", "ACTIVE", "10.60.0.11", "02:00:5e:00:60:0b", "laptop"));
        ServerConfigs.publish(
                Topics.LEASE_EVENTS,
                "10.60.0.10",
                event(3, "released", "RELEASED", "10.60.0.10", "02:00:5e:00:60:0a", "Printer-1"));
        // garbage on the topic is skipped, and what follows still applies
        ServerConfigs.publish(Topics.LEASE_EVENTS, "10.60.0.12", "not an event");
        // an event older than what is stored for the address changes nothing
        ServerConfigs.publish(
                Topics.LEASE_EVENTS,
                "10.60.0.10",
                event(1, "committed", "ACTIVE", "10.60.0.10", "02:00:5e:00:60:0a", "Printer-1"));
        ServerConfigs.publish(
                Topics.LEASE_EVENTS,
                "10.60.0.13",
                event(4, "committed", "ACTIVE", "10.60.0.13", "02:00:5e:00:60:0d", "phone"));

        // another scope, from another server: the scope and server filters leave it out
        ServerConfigs.publish(
                Topics.LEASE_EVENTS,
                "10.61.0.20",
                event(
                        "lz-b",
                        "10.61.0.0/24",
                        5,
                        "committed",
                        "ACTIVE",
                        "10.61.0.20",
                        "02:00:5e:00:61:14",
                        "scanner-2"));
        await().atMost(WAIT)
                .untilAsserted(() ->
                        reader().get("/api/v1/leases?address=10.60.0.13").then().body("size()", is(1)));
        await().atMost(WAIT)
                .untilAsserted(() ->
                        reader().get("/api/v1/leases?address=10.61.0.20").then().body("size()", is(1)));
        reader().get("/api/v1/leases?scope=10.61.0.0/24").then().body("address", contains("10.61.0.20"));
        reader().get("/api/v1/leases?server=lz-b").then().body("address", contains("10.61.0.20"));
        reader().get("/api/v1/leases?hardwareAddress=02:00:5E:00:60:0A")
                .then()
                .statusCode(200)
                .body("address", contains("10.60.0.10"))
                .body("state", contains("RELEASED"))
                .body("lastEvent", contains("released"));
        reader().get("/api/v1/leases?hardwareAddress=02005e00600a").then().body("address", contains("10.60.0.10"));
        reader().get("/api/v1/leases?hostname=print").then().body("address", contains("10.60.0.10"));
        reader().get("/api/v1/leases?clientId=0102005e00600b").then().body("hostname", contains("laptop"));
        reader().get("/api/v1/leases?scope=10.60.0.0/24&state=active")
                .then()
                .body("address", contains("10.60.0.11", "10.60.0.13"));
        reader().get("/api/v1/leases?scope=10.60.0.0/24").then().body("size()", is(3));
        // pages: a total, and a next link until the last page; the pages together are the whole search
        var first = reader().get("/api/v1/leases?scope=10.60.0.0/24&limit=2")
                .then()
                .statusCode(200)
                .header("X-Total-Count", "3")
                .body("address", contains("10.60.0.10", "10.60.0.11"))
                .extract();
        String next = first.header("Link").replaceAll("^<([^>]+)>;\\s*rel=\"next\"$", "$1");
        assertThat(next).contains("cursor=").contains("scope=10.60.0.0");
        given().auth()
                .preemptive()
                .basic("viewer", "viewer-password")
                .urlEncodingEnabled(false)
                .get(java.net.URI.create(next).getRawPath() + "?"
                        + java.net.URI.create(next).getRawQuery())
                .then()
                .statusCode(200)
                .header("X-Total-Count", "3")
                .header("Link", org.hamcrest.Matchers.nullValue())
                .body("address", contains("10.60.0.13"));
        reader().get("/api/v1/leases?cursor=garbage!").then().statusCode(400).body("detail", containsString("cursor"));
        reader().get("/api/v1/leases?hardwareAddress=zz").then().statusCode(400);
        for (String bad : List.of(
                "address=not-an-ip",
                "address=10.60.0.300",
                "scope=10.60.0.0/33",
                "state=bogus",
                "clientId=xyz",
                "server=Not_A_Name")) {
            reader().get("/api/v1/leases?" + bad)
                    .then()
                    .statusCode(400)
                    .contentType(Problems.TYPE)
                    .body("errors[0]", containsString(bad.substring(0, bad.indexOf('=')) + ": must"));
        }
        reader().get("/api/v1/leases?limit=0").then().statusCode(400);
    }

    @Test
    void utilisationIsWhatTheServerLastReported() {
        createServer("ut-a", "192.0.2.51", "198.51.100.51");
        admin().body(scope("10.50.0.0/24", "10.50.0.10", "10.50.0.109"))
                .post("/api/v1/servers/ut-a/scopes")
                .then()
                .statusCode(201);
        reader().get("/api/v1/servers/ut-a/scopes/10.50.0.0/utilisation")
                .then()
                .statusCode(404)
                .body("detail", containsString("not reported"));
        ServerConfigs.publish(
                Topics.SCOPE_STATISTICS,
                "ut-a/10.50.0.0/24",
                new ScopeStatistics(1, "ut-a", "10.50.0.0/24", 100, 30, 2, 40, 25, 3, 1, Instant.now()));
        await().atMost(WAIT).untilAsserted(() -> reader().get("/api/v1/servers/ut-a/scopes/10.50.0.0/utilisation")
                .then()
                .statusCode(200)
                .body("total", is(100))
                .body("assigned", is(30))
                .body("free", is(40))
                .body("backup", is(25))
                .body("declined", is(3))
                .body("unacked", is(1)));
        // the same counts under Kea's names (Stork exporter), labelled with the server and the subnet
        String metrics =
                admin().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("kea_dhcp4_addresses_total{server=\"ut-a\",subnet=\"10.50.0.0/24\"} 100.0")
                .contains("kea_dhcp4_addresses_assigned_total{server=\"ut-a\",subnet=\"10.50.0.0/24\"} 30.0")
                .contains("kea_dhcp4_addresses_declined_total{server=\"ut-a\",subnet=\"10.50.0.0/24\"} 3.0");
        // every scope in one call; a scope no server reported yet is left out
        admin().body(scope("10.51.0.0/24", "10.51.0.10", "10.51.0.19"))
                .post("/api/v1/servers/ut-a/scopes")
                .then()
                .statusCode(201);
        reader().get("/api/v1/scopes/utilisation")
                .then()
                .statusCode(200)
                .body("find { it.scope == '10.50.0.0/24' }.assigned", is(30))
                .body("find { it.scope == '10.50.0.0/24' }.server", is("ut-a"))
                .body("scope", not(hasItem("10.51.0.0/24")));
    }

    @Test
    void relationshipsAndScopesChangeOnlyWithTheirCurrentEtag() {
        createServer("et-a", "192.0.2.61", "198.51.100.61");
        createServer("et-b", "192.0.2.62", "198.51.100.62");
        admin().body(scope("10.70.0.0/24", "10.70.0.10", "10.70.0.99"))
                .post("/api/v1/servers/et-a/scopes")
                .then()
                .statusCode(201);
        String relTag = admin().body(relationship("et-ab", "et-a", "et-b"))
                .post("/api/v1/relationships")
                .then()
                .statusCode(201)
                .extract()
                .header("ETag");
        Map<String, Object> modified = relationship("et-ab", "et-a", "et-b");
        modified.put("mclt", 1800);
        admin().body(modified).put("/api/v1/relationships/et-ab").then().statusCode(428);
        // a scope joining is a change of the relationship: the ETag read before it is stale
        admin().body(Map.of("scope", "10.70.0.0"))
                .post("/api/v1/relationships/et-ab/scopes")
                .then()
                .statusCode(200);
        String joined =
                reader().get("/api/v1/relationships/et-ab").then().extract().header("ETag");
        assertThat(joined).isNotEqualTo(relTag);
        admin().header("If-Match", relTag)
                .body(modified)
                .put("/api/v1/relationships/et-ab")
                .then()
                .statusCode(412)
                .contentType("application/problem+json");
        admin().header("If-Match", joined)
                .body(modified)
                .put("/api/v1/relationships/et-ab")
                .then()
                .statusCode(200)
                .body("mclt", is(1800));
        admin().header("If-Match", joined)
                .delete("/api/v1/relationships/et-ab?keepScopesOn=et-a")
                .then()
                .statusCode(412);

        Map<String, Object> narrower = scope("10.70.0.0/24", "10.70.0.10", "10.70.0.50");
        admin().body(narrower)
                .put("/api/v1/servers/et-b/scopes/10.70.0.0")
                .then()
                .statusCode(428);
        admin().header("If-Match", "\"999999\"")
                .body(narrower)
                .put("/api/v1/servers/et-b/scopes/10.70.0.0")
                .then()
                .statusCode(412);
        reader().get("/api/v1/servers/et-b/scopes/10.70.0.0").then().body("ranges[0].last", is("10.70.0.99"));
    }

    // --- Roles
    // --------------------------------------------------------------------------------------------------------

    @Test
    void refusedCallsAreLoggedWithTheirStatusAndCounted() {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("dev.tandem.admin.security.SecurityLog");
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(
                        r instanceof org.jboss.logmanager.ExtLogRecord e
                                ? e.getFormattedMessage()
                                : String.valueOf(r.getMessage()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(capture);
        try {
            double before401 = denied("unauthenticated");
            double before403 = denied("forbidden");
            given().get("/api/v1/servers?probe=anonymous").then().statusCode(401);
            given().auth()
                    .preemptive()
                    .basic("admin", "wrong")
                    .get("/api/v1/servers?probe=wrong")
                    .then()
                    .statusCode(401);
            reader().delete("/api/v1/servers/probe-forbidden")
                    .then()
                    .statusCode(403)
                    .contentType(Problems.TYPE)
                    .body("title", is("Forbidden"))
                    .body("detail", containsString("admin role"));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(String.join("\n", logged))
                        .containsPattern("Refused \\(401\\) GET /api/v1/servers from .*: no credentials")
                        .containsPattern("Refused \\(401\\) GET /api/v1/servers from .*: wrong user name or password")
                        .containsPattern("Refused \\(403\\) DELETE /api/v1/servers/probe-forbidden .* to viewer");
                assertThat(logged).noneMatch(l -> l.contains("(403) GET /api/v1/servers"));
            });
            assertThat(denied("unauthenticated")).isGreaterThanOrEqualTo(before401 + 2);
            assertThat(denied("forbidden")).isGreaterThanOrEqualTo(before403 + 1);
        } finally {
            log.removeHandler(capture);
        }
    }

    private static double denied(String reason) {
        String metrics =
                admin().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("tandem_admin_denied_total{") && l.contains("reason=\"" + reason + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void aReaderChangesNothing() {
        reader().body(relationship("by-reader", "x", "y"))
                .put("/api/v1/relationships/any")
                .then()
                .statusCode(403);
        reader().delete("/api/v1/relationships/any?keepScopesOn=x").then().statusCode(403);
        reader().body(scope("10.80.0.0/24", "10.80.0.10", "10.80.0.20"))
                .post("/api/v1/servers/any/scopes")
                .then()
                .statusCode(403);
        reader().body(Map.of("scope", "10.80.0.0"))
                .post("/api/v1/relationships/any/scopes")
                .then()
                .statusCode(403);
        reader().post("/api/v1/relationships/any/replicate?from=x").then().statusCode(403);
        reader().post("/api/v1/servers/any/replicate").then().statusCode(403);
        reader().post("/api/v1/relationships/any/maintenance?server=x").then().statusCode(403);
        reader().delete("/api/v1/relationships/any/maintenance?server=x").then().statusCode(403);
    }

    @Test
    void everyChangeAskedIsInTheAuditLogWithWhoWhenWhatAndHowItEnded() {
        Instant before = Instant.now().minusSeconds(1);
        createServer("au-a", "192.0.2.71", "198.51.100.71");
        admin().body(server("au-a", "192.0.2.71", "198.51.100.71"))
                .post("/api/v1/servers")
                .then()
                .statusCode(409);
        reader().post("/api/v1/servers/au-a/replicate").then().statusCode(403);
        admin().delete("/api/v1/servers/au-a").then().statusCode(204);
        reader().get("/api/v1/audit").then().statusCode(403);

        var entries = admin().get("/api/v1/audit?limit=20")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("findAll { it.path.contains('au-a') || (it.path == '/api/v1/servers' && it.status == 409) }");
        assertThat(entries)
                .extracting(e -> ((Map<?, ?>) e).get("user") + " " + ((Map<?, ?>) e).get("method") + " "
                        + ((Map<?, ?>) e).get("path") + " " + ((Map<?, ?>) e).get("status"))
                .containsSequence(
                        "admin DELETE /api/v1/servers/au-a 204",
                        "viewer POST /api/v1/servers/au-a/replicate 403",
                        "admin POST /api/v1/servers 409");
        assertThat(entries).allSatisfy(e -> assertThat(Instant.parse((String) ((Map<?, ?>) e).get("at")))
                .isAfter(before));
        // reads are not changes; a user's entries alone, and paging back from an entry
        admin().get("/api/v1/audit?user=viewer").then().body("user", org.hamcrest.Matchers.everyItem(is("viewer")));
        admin().get("/api/v1/audit?limit=20").then().body("method", not(hasItem("GET")));
        long newest =
                admin().get("/api/v1/audit?limit=1").then().extract().jsonPath().getLong("[0].id");
        admin().get("/api/v1/audit?limit=1&before=" + newest).then().body("[0].id", is((int) (newest - 1)));
    }

    @Test
    void everyEndpointButHealthNeedsCredentialsAndChangesNeedTheAdminRole() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/api/v1/servers")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("Basic"))
                .contentType(Problems.TYPE)
                .body("status", is(401))
                .body("detail", containsString("needs credentials"))
                .body("instance", is("/api/v1/servers"));
        given().get("/q/openapi").then().statusCode(401);
        given().get("/q/metrics").then().statusCode(401);
        given().get("/console").then().statusCode(401).header("WWW-Authenticate", containsString("Basic"));
        given().get("/static/console.css").then().statusCode(401);
        given().auth()
                .preemptive()
                .basic("admin", "wrong")
                .get("/api/v1/servers")
                .then()
                .statusCode(401)
                .contentType(Problems.TYPE)
                .body("detail", is("wrong user name or password"));
        given().auth()
                .preemptive()
                .basic("nobody", "admin-password")
                .get("/api/v1/servers")
                .then()
                .statusCode(401);

        reader().get("/api/v1/servers").then().statusCode(200);
        reader().get("/api/v1/relationships").then().statusCode(200);
        reader().get("/api/v1/leases").then().statusCode(200);
        reader().body(server("by-reader", "192.0.2.1", "198.51.100.1"))
                .post("/api/v1/servers")
                .then()
                .statusCode(403);
        reader().delete("/api/v1/servers/anything").then().statusCode(403);
        reader().post("/api/v1/relationships/any/partner-down?server=x").then().statusCode(403);
        admin().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/relationships"));
        admin().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger-ui"));
        admin().get("/q/metrics").then().statusCode(200).body(containsString("tandem_admin_denied_total"));
        given().contentType(ContentType.JSON).get("/api/v1/scopes").then().statusCode(401);
    }

    /** The revision of the server's document as the admin API stored it (what it publishes next, or has). */
    static long storedRevision(String server) throws Exception {
        try (var c = TestPostgres.connect("admin");
                var st = c.prepareStatement("SELECT revision FROM server_config WHERE server = ?")) {
            st.setString(1, server);
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next()).as("a stored document of %s", server).isTrue();
                return rs.getLong(1);
            }
        }
    }
}

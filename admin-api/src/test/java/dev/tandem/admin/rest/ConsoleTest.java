package dev.tandem.admin.rest;

import static dev.tandem.admin.rest.Api.admin;
import static dev.tandem.admin.rest.Api.createServer;
import static dev.tandem.admin.rest.Api.reader;
import static dev.tandem.admin.rest.Api.relationship;
import static dev.tandem.admin.rest.Api.scope;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.tandem.admin.repository.FailoverHistory;
import dev.tandem.admin.service.Coordinators;
import dev.tandem.admin.service.StateHistory;
import dev.tandem.protocol.bus.ScopeStatistics;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.testsupport.ServerConfigs;
import dev.tandem.testsupport.TandemTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The console's pages and commands against real PostgreSQL and Kafka: what a reader and an admin see, that commands
 * need the admin role and htmx's header, and that the pages show the read models (utilisation, leases, histories).
 * The pages in a real browser against the whole system: ConsoleSystemTest.
 */
@QuarkusTest
@QuarkusTestResource(
        value = TandemTestResources.class,
        initArgs = @ResourceArg(name = "database", value = "admin"),
        restrictToAnnotatedClass = true)
class ConsoleTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    StateHistory stateHistory;

    @Inject
    FailoverHistory failoverHistory;

    /** A relationship with one scope; its coordinators do not run here. */
    static void pair(String name, String a, String b, String subnet, String first, String last) {
        createServer(a, "192.0.2." + (a.hashCode() & 0x7f), "198.51.100." + (a.hashCode() & 0x7f));
        createServer(b, "192.0.2." + (b.hashCode() & 0x7f | 0x80), "198.51.100." + (b.hashCode() & 0x7f | 0x80));
        admin().body(scope(subnet, first, last))
                .post("/api/v1/servers/" + a + "/scopes")
                .then()
                .statusCode(201);
        admin().body(relationship(name, a, b))
                .post("/api/v1/relationships")
                .then()
                .statusCode(201);
        admin().body(Map.of("scope", subnet))
                .post("/api/v1/relationships/" + name + "/scopes")
                .then()
                .statusCode(200);
    }

    @Test
    void aReaderSeesTheRelationshipsButNoCommandAndAnAdminSeesEachCommandWithWhatItDoes() {
        pair("con-pair", "con-a", "con-b", "10.80.0.0/24", "10.80.0.10", "10.80.0.99");
        String asReader = reader().accept(ContentType.HTML)
                .get("/console")
                .then()
                .statusCode(200)
                .contentType(containsString("text/html"))
                .extract()
                .asString();
        assertThat(asReader)
                .contains("con-pair", "load-balance", "con-a 50 %, con-b 50 %", "MCLT 600 s", "10.80.0.0/24")
                .contains("viewer · reader")
                .doesNotContain("hx-post");
        // the coordinators of con-a and con-b do not run: the console says so instead of a state
        assertThat(reader().get("/console/relationships/con-pair/live")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString())
                .contains("data-server=\"con-a\"", "data-server=\"con-b\"", "UNREACHABLE");

        String asAdmin = admin().accept(ContentType.HTML)
                .get("/console")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(asAdmin)
                .contains("admin · admin")
                .contains("hx-post=\"/console/relationships/con-pair/split\"")
                .contains("hx-confirm=\"Change the split of con-pair?")
                .contains("hx-post=\"/console/relationships/con-pair/replicate?from=con-a\"")
                .contains("It stays on con-a alone and is deleted from con-b");
        // everything the page loads comes from the admin API itself
        assertThat(asAdmin).doesNotContain("http://", "https://");
        String htmx = asAdmin.replaceAll("(?s).*<script src=\"([^\"]+)\".*", "$1");
        reader().get(htmx).then().statusCode(200).body(containsString("htmx"));
        reader().get("/static/console.css").then().statusCode(200);
    }

    @Test
    void commandsNeedTheAdminRoleAndTheConsolesOwnRequestsAndSayWhyTheyAreRefused() {
        pair("cmd-pair", "cmd-a", "cmd-b", "10.81.0.0/24", "10.81.0.10", "10.81.0.99");
        // a reader may not, and neither may a form from another site (no HX-Request header)
        reader().contentType(ContentType.URLENC)
                .header("HX-Request", "true")
                .formParam("percent", 70)
                .post("/console/relationships/cmd-pair/split")
                .then()
                .statusCode(403);
        admin().contentType(ContentType.URLENC)
                .formParam("percent", 70)
                .post("/console/relationships/cmd-pair/split")
                .then()
                .statusCode(403)
                .body(containsString("own pages only"));
        given().contentType(ContentType.URLENC)
                .header("HX-Request", "true")
                .formParam("percent", 70)
                .post("/console/relationships/cmd-pair/split")
                .then()
                .statusCode(401);
        reader().get("/api/v1/relationships/cmd-pair").then().body("loadBalancePercent", is(50));

        admin().contentType(ContentType.URLENC)
                .header("HX-Request", "true")
                .formParam("percent", 70)
                .post("/console/relationships/cmd-pair/split")
                .then()
                .statusCode(200)
                .body(containsString("cmd-pair now gives cmd-a 70 % of the clients"));
        reader().get("/api/v1/relationships/cmd-pair").then().body("loadBalancePercent", is(70));
        admin().contentType(ContentType.URLENC)
                .header("HX-Request", "true")
                .formParam("percent", 170)
                .post("/console/relationships/cmd-pair/split")
                .then()
                .statusCode(200)
                .body(containsString("Refused: the split must be a percentage from 0 to 100"));
        // a coordinator that cannot be reached: the command is refused with the reason
        admin().header("HX-Request", "true")
                .post("/console/relationships/cmd-pair/maintenance?server=cmd-a")
                .then()
                .statusCode(200)
                .body(containsString("Refused:"));
    }

    @Test
    void theStatesTheServersEnteredAreTheRelationshipsHistory() {
        pair("hist-pair", "hist-a", "hist-b", "10.82.0.0/24", "10.82.0.10", "10.82.0.99");
        Instant interrupted = Instant.EPOCH;
        Instant now = Instant.now().minusSeconds(60);
        stateHistory.record(
                "hist-pair",
                new Coordinators.ServerState(
                        "hist-a",
                        true,
                        null,
                        Map.of(
                                "state",
                                "COMMUNICATIONS-INTERRUPTED",
                                "partnerState",
                                "NORMAL",
                                "since",
                                now.toString())));
        // reported again at the next poll: stored once
        stateHistory.record(
                "hist-pair",
                new Coordinators.ServerState(
                        "hist-a",
                        true,
                        null,
                        Map.of(
                                "state",
                                "COMMUNICATIONS-INTERRUPTED",
                                "partnerState",
                                "NORMAL",
                                "since",
                                now.toString())));
        // an unreachable coordinator adds nothing
        stateHistory.record("hist-pair", new Coordinators.ServerState("hist-b", false, "connection refused", null));
        assertThat(failoverHistory.since("hist-pair", interrupted))
                .singleElement()
                .satisfies(e -> assertThat(e.state()).isEqualTo("COMMUNICATIONS-INTERRUPTED"));
        reader().get("/console/relationships/hist-pair/live")
                .then()
                .statusCode(200)
                .body(containsString("(1 changes)"))
                .body(containsString("<td>hist-a</td><td>COMMUNICATIONS-INTERRUPTED</td><td>NORMAL</td>"));
        assertThat(failoverHistory.forgetBefore(Instant.now())).isEqualTo(1);
        assertThat(failoverHistory.since("hist-pair", interrupted)).isEmpty();
    }

    @Test
    void utilisationBarsWarnWhenAServersOwnFreePoolRunsLow() {
        pair("ut-pair", "utc-a", "utc-b", "10.83.0.0/24", "10.83.0.10", "10.83.0.109");
        // the primary has 40 of 100 free; the secondary's own pool (BACKUP) is down to 5
        ServerConfigs.publish(
                Topics.SCOPE_STATISTICS,
                "utc-a/10.83.0.0/24",
                new ScopeStatistics(1, "utc-a", "10.83.0.0/24", 100, 30, 2, 40, 5, 3, 1, Instant.now()));
        ServerConfigs.publish(
                Topics.SCOPE_STATISTICS,
                "utc-b/10.83.0.0/24",
                new ScopeStatistics(1, "utc-b", "10.83.0.0/24", 100, 30, 2, 40, 5, 3, 1, Instant.now()));
        await().atMost(WAIT).untilAsserted(() -> {
            String page = reader().get("/console/scopes/live")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            assertThat(row(page, "10.83.0.0/24", "utc-a"))
                    .contains(
                            "width: 30.0%",
                            "width: 40.0%", "30 assigned, 2 offered, 40 free, 5 backup, 3 declined of 100")
                    .doesNotContain("own free pool low");
            assertThat(row(page, "10.83.0.0/24", "utc-b")).contains("class=\"low\"", "own free pool low: 5 left");
        });
        reader().get("/console/scopes").then().statusCode(200).body(containsString("Scopes"));
    }

    @Test
    void leasesAreFoundFromTheConsoleWithTheirHistoryAndABadQueryIsExplained() {
        for (long seq = 1; seq <= 3; seq++) {
            ServerConfigs.publish(
                    Topics.LEASE_EVENTS,
                    "10.84.0.10",
                    AdminApiTest.event(
                            "lc-a",
                            "10.84.0.0/24",
                            seq,
                            seq == 3 ? "released" : seq == 1 ? "committed" : "renewed",
                            seq == 3 ? "RELEASED" : "ACTIVE",
                            "10.84.0.10",
                            "02:00:5e:00:84:0a",
                            "desk-7"));
        }
        await().atMost(WAIT).untilAsserted(() -> reader().get("/console/leases?hardwareAddress=02:00:5E:00:84:0A")
                .then()
                .statusCode(200)
                .body(containsString("1 lease found"))
                .body(containsString("href=\"/console/leases/lc-a/10.84.0.10\"")));
        String history = reader().get("/console/leases/lc-a/10.84.0.10")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(history).containsSubsequence("released", "renewed", "committed");
        reader().get("/console/leases?address=not-an-ip&server=Not_A_Name")
                .then()
                .statusCode(200)
                .body(containsString("Address must be an IPv4 address"))
                .body(containsString("Server must be a server name"))
                .body(not(containsString("found.")));
        reader().get("/console/leases/lc-a/not-an-ip").then().statusCode(404);
    }

    /** The table row of one scope on one server. */
    static String row(String page, String subnet, String server) {
        int at = page.indexOf("data-scope=\"" + subnet + "\" data-server=\"" + server + "\"");
        assertThat(at).as("row of %s on %s", subnet, server).isNotNegative();
        return page.substring(page.lastIndexOf("<tr", at), page.indexOf("</tr>", at));
    }
}

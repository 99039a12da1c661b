package dev.tandem.system;

import static dev.tandem.system.Pair.A;
import static dev.tandem.system.Pair.B;
import static dev.tandem.system.Pair.JSON;
import static dev.tandem.system.Pair.SCOPE;
import static dev.tandem.system.Pair.SERVER_ID_A;
import static dev.tandem.system.Pair.SERVER_ID_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scope with live leases joins a running relationship. dhcp-a serves the pair's LAN alone while the relationship
 * holds another scope; its clients hold addresses, spread over both shares of the split to come. Then the LAN's scope
 * joins the relationship on both servers (as the admin API's "add a scope to a relationship" publishes it). The
 * relationship resumes its stored NORMAL, so only the scope's join brings dhcp-a's bindings to dhcp-b: before that,
 * dhcp-b's new rows were all FREE or BACKUP and it handed out, from its share, addresses dhcp-a's clients held.
 */
@ExtendWith(ServiceLogsOnFailure.class)
class ScopeJoinSystemTest {

    /** The relationship's scope before the join: in both servers' configurations, no clients on it. */
    static final String OTHER_SCOPE = "198.18.7.0/24";

    @AfterAll
    static void stopStack() {
        Stack.stop();
    }

    @AfterEach
    void noAddressWasEverBoundToTwoClients() {
        Pair.audit();
    }

    @Test
    void theJoiningScopesBindingsReachThePartnerBeforeEitherAllocatesInIt() throws Exception {
        Path a = config("system-config.json", 1, false);
        Path b = config("system-config-b.json", 1, false);
        Stack.start(Map.of("TANDEM_CONFIG_FILE", a.toString(), "TANDEM_CONFIG_FILE_B", b.toString()));
        Pair.awaitStates("NORMAL", "NORMAL");

        // dhcp-a alone on the LAN: clients of both hash buckets get its addresses
        Map<String, String> before = new HashMap<>();
        for (int i = 1; i <= 8; i++) {
            String mac = String.format("02:00:5e:82:00:%02x", i);
            Optional<String[]> lease = Pair.oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            assertThat(lease.get()[1]).isEqualTo(SERVER_ID_A);
            before.put(lease.get()[0], mac);
        }
        Map<String, String> held = Pair.active(A);
        assertThat(held).containsKeys(before.keySet().toArray(String[]::new));
        assertThat(before.keySet().stream().filter(address -> backupAfterSplit(address)))
                .as("some of them hold addresses that the split gives to dhcp-b")
                .isNotEmpty();

        Stack.script(
                "publish-config",
                config("system-config.json", 2, true).toString(),
                config("system-config-b.json", 2, true).toString());
        await().atMost(Pair.WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertThat(Pair.active(B))
                .containsAllEntriesOf(held));
        Pair.awaitStates("NORMAL", "NORMAL");
        await().atMost(Pair.WAIT).untilAsserted(() -> {
            assertThat(Pair.relationship(A).path("joining").isMissingNode()
                            || Pair.relationship(A).path("joining").isNull())
                    .isTrue();
            assertThat(Pair.relationship(B).path("joining").isMissingNode()
                            || Pair.relationship(B).path("joining").isNull())
                    .isTrue();
        });

        // new clients of dhcp-b's buckets get addresses nobody holds
        int servedByB = 0;
        for (int i = 1; i <= 8; i++) {
            String mac = Pair.firstMac(String.format("02:00:5e:83:%02x", i), false);
            Optional<String[]> lease = Pair.oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            assertThat(held).doesNotContainKey(lease.get()[0]);
            servedByB += lease.get()[1].equals(SERVER_ID_B) ? 1 : 0;
        }
        assertThat(servedByB)
                .as("dhcp-b serves its buckets in the joined scope")
                .isPositive();
    }

    /** Whether the split of a joining scope (50 %, spread evenly) makes the address a BACKUP (dhcp-b's) one. */
    static boolean backupAfterSplit(String address) {
        long offset = dev.tandem.protocol.net.Ipv4.parse(address).unsigned()
                - dev.tandem.protocol.net.Ipv4.parse("198.18.135.10").unsigned();
        return ((offset + 1) * 50 / 100) > (offset * 50 / 100);
    }

    /**
     * A server's system-test configuration with the given revision, its relationship holding {@link #OTHER_SCOPE} and,
     * once {@code joined}, the pair's LAN scope too; before, only dhcp-a has the LAN scope, outside the relationship.
     */
    static Path config(String file, int revision, boolean joined) throws IOException {
        ObjectNode config = (ObjectNode)
                JSON.readTree(Files.readString(Stack.ROOT.resolve("system-tests/src/test/resources/" + file)));
        config.put("revision", revision);
        ObjectNode lanScope = null;
        ObjectNode otherScope = null;
        for (var s : config.get("scopes")) {
            if (s.get("subnet").asText().equals(SCOPE)) {
                lanScope = (ObjectNode) s;
            }
            if (s.get("subnet").asText().equals(OTHER_SCOPE)) {
                otherScope = (ObjectNode) s;
            }
        }
        if (lanScope != null) {
            lanScope.put("leaseTime", 3600); // the leases outlive the test: a binding that expired proves nothing
        }
        ArrayNode scopes = (ArrayNode) config.get("scopes");
        if (otherScope == null) { // dhcp-b: the other scope as dhcp-a has it
            ObjectNode fromA = (ObjectNode) JSON.readTree(
                            Files.readString(Stack.ROOT.resolve("system-tests/src/test/resources/system-config.json")))
                    .get("scopes")
                    .get(1);
            assertThat(fromA.get("subnet").asText()).isEqualTo(OTHER_SCOPE);
            scopes.add(fromA);
        }
        boolean partner = file.contains("-b");
        if (partner && !joined) {
            for (int i = 0; i < scopes.size(); i++) {
                if (scopes.get(i) == lanScope) {
                    scopes.remove(i);
                    break;
                }
            }
        }
        ArrayNode relationshipScopes = JSON.createArrayNode().add(OTHER_SCOPE);
        if (joined) {
            relationshipScopes.add(SCOPE);
        }
        ((ObjectNode) config.get("failover").get(0)).set("scopes", relationshipScopes);
        Path out = Stack.WORK.resolve("join-" + revision + "-" + file);
        Files.createDirectories(out.getParent());
        Files.writeString(out, JSON.writeValueAsString(config));
        return out;
    }
}

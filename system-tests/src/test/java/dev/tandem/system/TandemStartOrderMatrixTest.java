package dev.tandem.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.bus.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The start-order matrix between two Tandem servers: dhcp-a the primary, dhcp-b the secondary, whose coordinator holds
 * its failover state. Both run without a safe period here, so that COMMUNICATIONS-INTERRUPTED lasts until the case
 * moves on (the safe period has tests of its own in {@link FailoverSystemTest}).
 */
class TandemStartOrderMatrixTest extends StartOrderMatrix {

    static final String B = Pair.B;
    static final List<String> SERVICES_B = List.of("lease-service-b", "gateway-b", "coordinator-b");

    @Override
    String relationship() {
        return Pair.RELATIONSHIP;
    }

    @Override
    String macPrefix() {
        return "02:00:5e:93";
    }

    @Override
    Partner startStack() throws Exception {
        Stack.start();
        Path b = Stack.WORK.resolve("matrix-config-b.json");
        ObjectNode config = (ObjectNode) Json.mapper()
                .readTree(Stack.ROOT
                        .resolve("system-tests/src/test/resources/system-config-b.json")
                        .toFile());
        config.put("revision", config.get("revision").asLong() + 1);
        ((ObjectNode) config.get("failover").get(0)).put("safePeriod", 0);
        Files.writeString(b, Json.mapper().writeValueAsString(config));
        Stack.script("publish-config", b.toString());
        Partner partner = new TandemB();
        partner.restart(); // takes the configuration without a safe period at start, as a new one would
        return partner;
    }

    static final class TandemB implements Partner {

        @Override
        public void start() {
            SERVICES_B.forEach(s -> Stack.script("start-service", s));
        }

        @Override
        public void stop(boolean kill) {
            for (String service : List.of("coordinator-b", "gateway-b", "lease-service-b")) {
                if (kill) {
                    Stack.script("stop-service", service, "--kill");
                } else {
                    Stack.script("stop-service", service);
                }
            }
        }

        @Override
        public void restart() {
            Stack.script("stop-service", "coordinator-b", "--kill");
            Stack.script("start-service", "coordinator-b");
        }

        @Override
        public void forget() throws Exception {
            Stack.forgetServer(B, Pair.RELATIONSHIP);
        }

        @Override
        public String state() throws Exception {
            JsonNode r = Pair.relationship(B);
            return r.get("state").asText();
        }

        @Override
        public void freeze() {
            Stack.script("freeze-service", "coordinator-b");
        }

        @Override
        public void thaw() {
            Stack.script("thaw-service", "coordinator-b");
        }

        @Override
        public void partnerDownAlone() {
            org.awaitility.Awaitility.await()
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .until(() -> "COMMUNICATIONS-INTERRUPTED".equals(state()));
            Stack.command(B, Pair.RELATIONSHIP, "partner-down");
            org.awaitility.Awaitility.await()
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .until(() -> "PARTNER-DOWN".equals(state()));
        }

        @Override
        public String serverId() {
            return Pair.SERVER_ID_B;
        }
    }
}

package dev.tandem.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.bus.ServerConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every bus record, serialised as the services serialise it, conforms to its schema; wrong ones do not. */
class BusSchemasTest {

    static final ObjectMapper JSON = Json.mapper();

    @Test
    void recordsConformToTheirSchemas() throws Exception {
        LeaseRequest request = new LeaseRequest(
                1,
                "dhcp-a",
                "192.0.2.0/24",
                "DISCOVER",
                "hw:1:02005e000001",
                1,
                "02005e000001",
                null,
                7,
                "0.0.0.0",
                "192.0.2.1",
                null,
                null,
                null,
                "pc",
                null,
                List.of(1, 3),
                true,
                Instant.now());
        LeaseReply reply = new LeaseReply(
                1, "OFFER", "192.0.2.10", 600L, 300L, 525L, List.of(new LeaseReply.OptionValue(1, "ffffff00")), null);
        LeaseEvent event = new LeaseEvent(
                1,
                "e1",
                "committed",
                "dhcp-a",
                "192.0.2.0/24",
                "192.0.2.10",
                "ACTIVE",
                "hw:1:02005e000001",
                "02005e000001",
                null,
                "pc",
                1,
                Instant.now(),
                Instant.now().plusSeconds(600));
        ServerConfig config = ServerConfigs.oneScope(
                "192.0.2.0/24", "192.0.2.10", "192.0.2.20", 600, Map.of("routers", "192.0.2.1"), List.of());

        assertThat(Schemas.problems("lease-request.v1", JSON.writeValueAsString(request)))
                .isEmpty();
        assertThat(Schemas.problems("lease-reply.v1", JSON.writeValueAsString(reply)))
                .isEmpty();
        assertThat(Schemas.problems("lease-reply.v1", JSON.writeValueAsString(LeaseReply.none("x"))))
                .isEmpty();
        assertThat(Schemas.problems("lease-event.v1", JSON.writeValueAsString(event)))
                .isEmpty();
        assertThat(Schemas.problems("server-config.v1", JSON.writeValueAsString(config)))
                .isEmpty();
    }

    @Test
    void schemasRefuseWhatIsWrong() {
        assertThat(Schemas.problems("lease-reply.v1", "{\"version\":1,\"action\":\"OFFER\",\"options\":[]}"))
                .as("an OFFER needs an address and a lease time")
                .isNotEmpty();
        assertThat(Schemas.problems("lease-event.v1", "{\"version\":2}")).isNotEmpty();
        assertThat(Schemas.problems(
                        "lease-request.v1",
                        "{\"version\":1,\"server\":\"a\",\"scope\":\"x\",\"messageType\":\"OFFER\"}"))
                .isNotEmpty();
    }
}

package dev.tandem.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.bus.ScopeStatistics;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServiceHealth;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.net.Ipv4;
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
    void failoverRecordsConformToTheirSchemas() throws Exception {
        FailoverStatus status = FailoverFixtures.status(
                "dhcp-a",
                "primary",
                "load-balance",
                FailoverState.COMMUNICATIONS_INTERRUPTED,
                Instant.now(),
                FailoverState.NORMAL,
                128,
                List.of("192.0.2.0/24"),
                "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                42);
        Binding binding = new Binding(
                Ipv4.parse("192.0.2.10"),
                BindingStatus.ACTIVE,
                null,
                new byte[] {1, 2, 0, 0x5e, 0, 0, 1},
                1_800_000_000L,
                1_800_000_300L,
                1_799_999_000L,
                1_799_999_000L,
                0);
        BindingUpdate update = BindingUpdate.of("fo", binding, 42);
        assertThat(update.toBinding()).isEqualTo(binding);
        BindingAck ack = new BindingAck(1, "fo", "192.0.2.10", 42, 1_800_000_300L, null, null, 0);
        BindingAck reject =
                new BindingAck(1, "fo", "192.0.2.10", 42, 0, "FATAL_CONFLICT", "bound to another client", 0);
        FailoverCommand command = new FailoverCommand(
                1, "fo", FailoverCommand.RESEND_ALL, "r1", List.of("192.0.2.0/24"), null, null, null);
        FailoverCommand balance =
                new FailoverCommand(1, "fo", FailoverCommand.BALANCE, "b1", List.of("192.0.2.0/24"), 7L, 50, 9L);
        FailoverCommand identify =
                new FailoverCommand(1, "fo", FailoverCommand.IDENTIFY, "i1", List.of("192.0.2.0/24"), null, null, null);
        assertThat(Schemas.problems("failover-command.v1", JSON.writeValueAsString(identify)))
                .isEmpty();
        assertThat(Schemas.problems(
                        "binding-update.v1",
                        JSON.writeValueAsString(BindingUpdate.identity(
                                "fo", BindingUpdate.STARTED, "1b4e28ba-2fa1-11d2-883f-0016d3cca427", 42))))
                .isEmpty();

        assertThat(Schemas.problems("failover-status.v1", JSON.writeValueAsString(status)))
                .isEmpty();
        assertThat(Schemas.problems("binding-update.v1", JSON.writeValueAsString(update)))
                .isEmpty();
        assertThat(Schemas.problems(
                        "binding-update.v1", JSON.writeValueAsString(BindingUpdate.endOfResend("fo", "r1"))))
                .isEmpty();
        assertThat(Schemas.problems("binding-ack.v1", JSON.writeValueAsString(ack)))
                .isEmpty();
        assertThat(Schemas.problems("binding-ack.v1", JSON.writeValueAsString(reject)))
                .isEmpty();
        assertThat(Schemas.problems("failover-command.v1", JSON.writeValueAsString(command)))
                .isEmpty();
        assertThat(Schemas.problems("failover-command.v1", JSON.writeValueAsString(balance)))
                .isEmpty();
        assertThat(Schemas.problems(
                        "binding-update.v1", JSON.writeValueAsString(BindingUpdate.endOfBalance("fo", "b1", 12))))
                .isEmpty();
        ScopeStatistics statistics =
                new ScopeStatistics(1, "dhcp-a", "192.0.2.0/24", 100, 10, 1, 40, 45, 4, 2, Instant.now());
        assertThat(Schemas.problems("scope-statistics.v1", JSON.writeValueAsString(statistics)))
                .isEmpty();
        assertThat(Schemas.problems(
                        "scope-statistics.v1",
                        JSON.writeValueAsString(statistics).replace("\"free\":40", "\"free\":-1")))
                .as("a count is never negative")
                .isNotEmpty();
        ServiceHealth down = ServiceHealth.of(
                "dhcp-a", ServiceHealth.LEASE_SERVICE, "host-1", "database: connection refused", Instant.now());
        assertThat(Schemas.problems("service-health.v2", JSON.writeValueAsString(down)))
                .isEmpty();
        assertThat(Schemas.problems(
                        "service-health.v2",
                        JSON.writeValueAsString(ServiceHealth.of(
                                "dhcp-a", ServiceHealth.GATEWAY, "host-1/198.18.0.1", null, Instant.now()))))
                .isEmpty();
        assertThat(Schemas.problems(
                        "service-health.v2",
                        JSON.writeValueAsString(down).replace(",\"reason\":\"database: connection refused\"", "")))
                .as("an instance that cannot serve says why")
                .isNotEmpty();
        assertThat(Schemas.problems(
                        "binding-update.v1", "{\"version\":1,\"relationship\":\"fo\",\"address\":\"192.0.2.1\"}"))
                .as("an update needs a status")
                .isNotEmpty();
        assertThat(Schemas.problems(
                        "failover-status.v1",
                        JSON.writeValueAsString(status).replace("COMMUNICATIONS-INTERRUPTED", "SLEEPING")))
                .isNotEmpty();
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

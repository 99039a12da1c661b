package dev.tandem.coordinator.rest;

import static dev.tandem.coordinator.rest.RelationshipResource.problem;

import dev.tandem.protocol.bus.LeaseCommand;
import dev.tandem.protocol.bus.LeaseCommandResult;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * An operator's lease operations on this server (admin API only: commands need the command credential, see
 * {@link CommandGuard}), passed to the lease-service by SmallRye Kafka Request-Reply and answered with its outcome once
 * committed.
 */
@Path("/api/v1/leases")
@Produces(MediaType.APPLICATION_JSON)
public class LeaseCommandResource {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final KafkaRequestReply<LeaseCommand, LeaseCommandResult> leaseService;

    public LeaseCommandResource(
            @Channel("lease-commands") KafkaRequestReply<LeaseCommand, LeaseCommandResult> leaseService) {
        this.leaseService = leaseService;
    }

    /** Ends the address's lease as its client's release would (a declined address: back to the pool). */
    @POST
    @Path("/{address}/release")
    public Uni<Response> release(@PathParam("address") String address, @HeaderParam("X-Tandem-User") String by) {
        return ask(new LeaseCommand(LeaseCommand.VERSION, LeaseCommand.RELEASE, address, by, java.time.Instant.now()));
    }

    /** Ends now every lease, offer and decline probation that has run out. */
    @POST
    @Path("/reclaim")
    public Uni<Response> reclaim(@HeaderParam("X-Tandem-User") String by) {
        return ask(new LeaseCommand(LeaseCommand.VERSION, LeaseCommand.RECLAIM, null, by, java.time.Instant.now()));
    }

    private Uni<Response> ask(LeaseCommand command) {
        return leaseService
                .request(Message.of(command)
                        .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                .withKey(command.address() == null ? command.command() : command.address())
                                .build()))
                .map(Message::getPayload)
                .ifNoItem()
                .after(TIMEOUT)
                .fail()
                .map(LeaseCommandResource::answer)
                .onFailure()
                .recoverWithItem(e -> e instanceof io.smallrye.mutiny.TimeoutException
                        ? problem(
                                504,
                                "No answer",
                                "the lease-service did not answer within " + TIMEOUT.toSeconds() + " s")
                        : problem(503, "Not passed on", "the lease-service cannot be asked: " + e.getMessage()));
    }

    static Response answer(LeaseCommandResult result) {
        if (result == null) {
            return problem(502, "Bad answer", "the lease-service's answer could not be read");
        }
        return switch (result.outcome()) {
            case LeaseCommandResult.NOT_HELD -> problem(404, "No lease", result.detail());
            case LeaseCommandResult.REFUSED -> problem(400, "Refused", result.detail());
            default -> Response.ok(result).build();
        };
    }

    /** JSON to {@link LeaseCommandResult}; an undecodable record becomes a null payload. */
    public static class ResultDeserializer extends ObjectMapperDeserializer<LeaseCommandResult> {
        public ResultDeserializer() {
            super(LeaseCommandResult.class);
        }
    }
}

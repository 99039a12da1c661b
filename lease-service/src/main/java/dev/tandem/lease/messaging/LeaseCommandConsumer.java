package dev.tandem.lease.messaging;

import dev.tandem.lease.service.LeaseCommands;
import dev.tandem.protocol.bus.LeaseCommand;
import dev.tandem.protocol.bus.LeaseCommandResult;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * An operator's lease operations from the coordinator (SmallRye Kafka Request-Reply), each answered once committed. A
 * record that is no command is answered "refused"; a failure is not answered (the requester times out and says so).
 */
@ApplicationScoped
public class LeaseCommandConsumer {

    private final LeaseCommands commands;
    private final MutinyEmitter<LeaseCommandResult> replies;

    public LeaseCommandConsumer(
            LeaseCommands commands, @Channel("lease-command-replies") MutinyEmitter<LeaseCommandResult> replies) {
        this.commands = commands;
        this.replies = replies;
    }

    @Incoming("lease-commands")
    public Uni<Void> onCommand(KafkaRecord<String, LeaseCommand> record) {
        return commands.handle(record.getPayload())
                .flatMap(result -> {
                    Message<LeaseCommandResult> reply = Replies.to(record, result);
                    return reply == null ? Uni.createFrom().voidItem() : replies.sendMessage(reply);
                })
                .onFailure()
                .recoverWithItem(e -> {
                    Log.warnf("Lease command not carried out (%s): the requester is told it timed out", e.toString());
                    return null;
                })
                .onItemOrFailure()
                .transformToUni((x, f) -> Uni.createFrom().completionStage(record.ack()));
    }

    /** JSON to {@link LeaseCommand}; an undecodable record becomes a null payload (answered "refused"). */
    public static class Deserializer extends ObjectMapperDeserializer<LeaseCommand> {
        public Deserializer() {
            super(LeaseCommand.class);
        }
    }
}

package dev.tandem.coordinator.messaging;

import dev.tandem.coordinator.service.RelationshipRunner;
import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.bus.FailoverStatus;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The coordinator's side of the bus: its state out (compacted, acks=all), the partner's acks of our updates out, resend
 * requests out, and the partner's updates to the lease-service by request-reply, answered once durable.
 */
@ApplicationScoped
public class KafkaBus implements RelationshipRunner.Bus {

    private final MutinyEmitter<FailoverStatus> states;
    private final MutinyEmitter<BindingAck> acks;
    private final MutinyEmitter<FailoverCommand> commands;
    private final KafkaRequestReply<BindingUpdate, BindingAck> partnerUpdates;
    /** When a failed store of a failover state was last logged (System.nanoTime; 0: never). */
    private final java.util.concurrent.atomic.AtomicLong stateFailureLogged =
            new java.util.concurrent.atomic.AtomicLong();

    public KafkaBus(
            @Channel("failover-state") MutinyEmitter<FailoverStatus> states,
            @Channel("binding-acks") MutinyEmitter<BindingAck> acks,
            @Channel("failover-commands") MutinyEmitter<FailoverCommand> commands,
            @Channel("partner-updates") KafkaRequestReply<BindingUpdate, BindingAck> partnerUpdates) {
        this.states = states;
        this.acks = acks;
        this.commands = commands;
        this.partnerUpdates = partnerUpdates;
    }

    @Override
    public void publish(FailoverStatus status) {
        states.sendMessage(keyed(status, status.relationship())).subscribe().with(x -> {}, e -> {
            // republished every second: while Kafka is away, said once a minute
            long now = System.nanoTime();
            long last = stateFailureLogged.get();
            if ((last == 0 || now - last >= java.util.concurrent.TimeUnit.MINUTES.toNanos(1))
                    && stateFailureLogged.compareAndSet(last, now)) {
                Log.errorf(
                        "Failover state of %s not stored (said once a minute while it lasts): %s",
                        status.relationship(), e);
            }
        });
    }

    @Override
    public void acknowledged(BindingAck ack) {
        acks.sendMessage(keyed(ack, ack.address()))
                .subscribe()
                .with(x -> {}, e -> Log.warnf("Ack of %s not passed on (resent later): %s", ack.address(), e));
    }

    @Override
    public void command(FailoverCommand command) {
        commands.sendMessage(keyed(command, command.relationship()))
                .subscribe()
                .with(x -> {}, e -> Log.warnf("Resend request for %s not sent: %s", command.relationship(), e));
    }

    @Override
    public Uni<BindingAck> applyPartnerUpdate(BindingUpdate update) {
        return partnerUpdates.request(keyed(update, update.address())).map(Message::getPayload);
    }

    private static <T> Message<T> keyed(T payload, String key) {
        return Message.of(payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .build());
    }
}

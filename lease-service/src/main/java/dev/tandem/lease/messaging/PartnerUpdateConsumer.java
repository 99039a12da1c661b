package dev.tandem.lease.messaging;

import dev.tandem.lease.service.FailoverBindings;
import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The partner's binding updates, from the coordinator (SmallRye Kafka Request-Reply): applied in batches, one
 * transaction each, and answered only after the commit, so that the BNDACK says the update is durable (draft §7.2).
 */
@ApplicationScoped
public class PartnerUpdateConsumer {

    private final FailoverBindings bindings;
    private final EventPublisher events;
    private final MutinyEmitter<BindingAck> replies;

    public PartnerUpdateConsumer(
            FailoverBindings bindings,
            EventPublisher events,
            @Channel("partner-update-replies") MutinyEmitter<BindingAck> replies) {
        this.bindings = bindings;
        this.events = events;
        this.replies = replies;
    }

    @Incoming("partner-updates")
    public Uni<Void> onBatch(KafkaRecordBatch<String, BindingUpdate> batch) {
        List<KafkaRecord<String, BindingUpdate>> records = new ArrayList<>();
        List<BindingUpdate> updates = new ArrayList<>();
        for (KafkaRecord<String, BindingUpdate> record : batch) {
            if (record.getPayload() != null) {
                records.add(record);
                updates.add(record.getPayload());
            }
        }
        return bindings.apply(updates)
                .flatMap(acks -> {
                    events.trigger();
                    List<Uni<Void>> sends = new ArrayList<>();
                    for (int i = 0; i < acks.size(); i++) {
                        if (acks.get(i) == null) {
                            continue; // not applied for a passing reason: no answer, the coordinator asks again
                        }
                        Message<BindingAck> reply = Replies.to(records.get(i), acks.get(i));
                        if (reply != null) {
                            sends.add(replies.sendMessage(reply));
                        }
                    }
                    return sends.isEmpty()
                            ? Uni.createFrom().voidItem()
                            : Uni.join().all(sends).andCollectFailures().replaceWithVoid();
                })
                .onFailure()
                .recoverWithItem(e -> {
                    Log.warnf("Partner updates not answered (%s); the partner sends them again", e.toString());
                    return null;
                })
                .onItemOrFailure()
                .transformToUni((x, f) -> Uni.createFrom().completionStage(batch.ack()));
    }
}

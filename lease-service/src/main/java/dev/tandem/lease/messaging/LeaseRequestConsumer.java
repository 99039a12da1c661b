package dev.tandem.lease.messaging;

import dev.tandem.lease.service.LeaseService;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Takes lease requests from Kafka in batches (what one poll returns), has them decided and committed together, then
 * sends each reply to the requester's reply topic with its correlation id (SmallRye Kafka Request-Reply) and
 * publishes the lease events. The batch is acknowledged only after both.
 */
@ApplicationScoped
public class LeaseRequestConsumer {

    public static final String REQUESTS = "lease-requests";
    public static final String REPLIES = "lease-replies";

    private final LeaseService leaseService;
    private final EventPublisher publisher;
    private final MutinyEmitter<LeaseReply> replies;
    private final MeterRegistry metrics;

    public LeaseRequestConsumer(
            LeaseService leaseService,
            EventPublisher publisher,
            @Channel(REPLIES) MutinyEmitter<LeaseReply> replies,
            MeterRegistry metrics) {
        this.leaseService = leaseService;
        this.publisher = publisher;
        this.replies = replies;
        this.metrics = metrics;
    }

    @Incoming(REQUESTS)
    public Uni<Void> onBatch(KafkaRecordBatch<String, LeaseRequest> batch) {
        List<KafkaRecord<String, LeaseRequest>> records = new ArrayList<>();
        List<LeaseRequest> requests = new ArrayList<>();
        for (KafkaRecord<String, LeaseRequest> record : batch) {
            records.add(record);
            requests.add(record.getPayload());
            if (record.getPayload() == null) {
                metrics.counter("tandem_lease_requests_undecodable_total").increment();
            }
        }
        metrics.summary("tandem_lease_request_batch_size").record(records.size());
        return leaseService
                .handle(requests)
                .flatMap(decided -> {
                    publisher.trigger();
                    List<Uni<Void>> sends = new ArrayList<>();
                    for (int i = 0; i < decided.size(); i++) {
                        Uni<Void> send = reply(records.get(i), decided.get(i));
                        if (send != null) {
                            sends.add(send);
                        }
                    }
                    return sends.isEmpty()
                            ? Uni.createFrom().voidItem()
                            : Uni.join().all(sends).andCollectFailures().replaceWithVoid();
                })
                .onItemOrFailure()
                .transformToUni((x, failure) -> {
                    if (failure != null) {
                        Log.warnf("Sending lease replies failed: %s", failure.toString());
                    }
                    // Decisions are committed; a lost reply is recovered by the client's retransmission.
                    return Uni.createFrom().completionStage(batch.ack());
                });
    }

    private Uni<Void> reply(KafkaRecord<String, LeaseRequest> request, LeaseReply reply) {
        Headers headers = request.getHeaders();
        Header correlation = headers.lastHeader(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER);
        Header topic = headers.lastHeader(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER);
        if (correlation == null || topic == null) {
            metrics.counter("tandem_lease_requests_uncorrelated_total").increment();
            return null;
        }
        OutgoingKafkaRecordMetadata.OutgoingKafkaRecordMetadataBuilder<String> metadata =
                OutgoingKafkaRecordMetadata.<String>builder()
                        .withTopic(new String(topic.value(), StandardCharsets.UTF_8))
                        .withKey(request.getKey())
                        .withHeaders(new RecordHeaders().add(correlation));
        Header partition = headers.lastHeader(KafkaRequestReply.DEFAULT_REPLY_PARTITION_HEADER);
        if (partition != null) {
            metadata.withPartition(KafkaRequestReply.replyPartitionFromBytes(partition.value()));
        }
        return replies.sendMessage(Message.of(reply).addMetadata(metadata.build()));
    }
}

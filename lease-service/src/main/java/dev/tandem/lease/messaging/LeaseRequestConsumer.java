package dev.tandem.lease.messaging;

import dev.tandem.lease.service.LeaseService;
import dev.tandem.lease.service.RequestTriage;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
 * Takes lease requests from Kafka in batches (what one poll returns), has them decided and committed together, then
 * sends each reply to the requester's reply topic with its correlation id (SmallRye Kafka Request-Reply) and
 * starts publishing the lease events. The batch is acknowledged once its transaction has committed.
 */
@ApplicationScoped
public class LeaseRequestConsumer {

    public static final String REQUESTS = "lease-requests";
    public static final String REPLIES = "lease-replies";

    private final LeaseService leaseService;
    private final EventPublisher publisher;
    private final MutinyEmitter<LeaseReply> replies;
    private final MeterRegistry metrics;
    private final Timer decideTimer;
    private final Timer replyTimer;
    private final Timer queueTimer;

    public LeaseRequestConsumer(
            LeaseService leaseService,
            EventPublisher publisher,
            @Channel(REPLIES) MutinyEmitter<LeaseReply> replies,
            MeterRegistry metrics) {
        this.leaseService = leaseService;
        this.publisher = publisher;
        this.replies = replies;
        this.metrics = metrics;
        this.decideTimer = Timer.builder("tandem_lease_batch_decide_seconds")
                .description("Deciding and committing one batch of lease requests (one transaction)")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
        this.queueTimer = Timer.builder("tandem_lease_request_queue_seconds")
                .description("From the gateway receiving the client message to the lease-service taking it from Kafka")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
        this.replyTimer = Timer.builder("tandem_lease_batch_reply_seconds")
                .description("Sending the replies of one batch until the broker acknowledged them")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
    }

    @Incoming(REQUESTS)
    public Uni<Void> onBatch(KafkaRecordBatch<String, LeaseRequest> batch) {
        List<KafkaRecord<String, LeaseRequest>> records = new ArrayList<>();
        List<LeaseRequest> requests = new ArrayList<>();
        java.time.Instant now = java.time.Instant.now();
        for (KafkaRecord<String, LeaseRequest> record : batch) {
            records.add(record);
            requests.add(record.getPayload());
            if (record.getPayload() != null && record.getPayload().receivedAt() != null) {
                queueTimer.record(java.time.Duration.between(record.getPayload().receivedAt(), now));
            }
            if (record.getPayload() == null) {
                metrics.counter("tandem_lease_requests_undecodable_total").increment();
            }
        }
        metrics.summary("tandem_lease_request_batch_size").record(records.size());
        Timer.Sample decideTime = Timer.start(metrics);
        return leaseService
                .handle(requests)
                .map(decided -> {
                    decideTime.stop(decideTimer);
                    publisher.trigger();
                    // Decisions are committed: the next batch may start while the replies travel. A lost reply is
                    // recovered by the client's retransmission, which finds its committed lease.
                    Timer.Sample replyTime = Timer.start(metrics);
                    List<Uni<Void>> sends = new ArrayList<>();
                    for (int i = 0; i < decided.size(); i++) {
                        if (RequestTriage.STALE.equals(decided.get(i).reason())) {
                            continue; // nobody waits for it
                        }
                        Uni<Void> send = reply(records.get(i), decided.get(i));
                        if (send != null) {
                            sends.add(send);
                        }
                    }
                    if (!sends.isEmpty()) {
                        Uni.join()
                                .all(sends)
                                .andCollectFailures()
                                .subscribe()
                                .with(x -> replyTime.stop(replyTimer), f -> {
                                    metrics.counter("tandem_lease_reply_failures_total")
                                            .increment();
                                    Log.warnf("Sending lease replies failed: %s", f.toString());
                                });
                    }
                    return null;
                })
                .replaceWithVoid()
                .onItemOrFailure()
                .transformToUni((x, failure) -> Uni.createFrom().completionStage(batch.ack()));
    }

    private Uni<Void> reply(KafkaRecord<String, LeaseRequest> request, LeaseReply reply) {
        Message<LeaseReply> message = Replies.to(request, reply);
        if (message == null) {
            metrics.counter("tandem_lease_requests_uncorrelated_total").increment();
            return null;
        }
        return replies.sendMessage(message);
    }
}

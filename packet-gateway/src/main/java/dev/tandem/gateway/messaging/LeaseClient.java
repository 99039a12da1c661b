package dev.tandem.gateway.messaging;

import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Asks the lease-service over Kafka (SmallRye Kafka Request-Reply), keyed by client so one client's messages stay in
 * order on one partition.
 */
@ApplicationScoped
public class LeaseClient {

    public static final String CHANNEL = "lease-requests";

    private final KafkaRequestReply<LeaseRequest, LeaseReply> requestReply;

    public LeaseClient(@Channel(CHANNEL) KafkaRequestReply<LeaseRequest, LeaseReply> requestReply) {
        this.requestReply = requestReply;
    }

    /** Fails with {@code KafkaRequestReplyTimeoutException} when no reply comes within the reply timeout. */
    public Uni<LeaseReply> ask(LeaseRequest request) {
        Message<LeaseRequest> message = Message.of(request)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(request.clientKey())
                        .build());
        return requestReply.request(message).map(Message::getPayload);
    }

    /** Completes once the reply consumer has its partitions, so the first replies are not missed. */
    public Uni<?> ready() {
        return requestReply.waitForAssignments();
    }
}

package dev.tandem.lease.messaging;

import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/** The server side of SmallRye Kafka Request-Reply: a reply addressed to the requester's topic and partition. */
final class Replies {

    private Replies() {}

    /** The reply message, or null when the request carries no correlation id or reply topic. */
    static <T> Message<T> to(KafkaRecord<String, ?> request, T reply) {
        Headers headers = request.getHeaders();
        Header correlation = headers.lastHeader(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER);
        Header topic = headers.lastHeader(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER);
        if (correlation == null || topic == null) {
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
        return Message.of(reply).addMetadata(metadata.build());
    }
}

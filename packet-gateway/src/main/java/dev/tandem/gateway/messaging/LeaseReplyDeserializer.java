package dev.tandem.gateway.messaging;

import dev.tandem.protocol.bus.LeaseReply;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** JSON to {@link LeaseReply}. */
public class LeaseReplyDeserializer extends ObjectMapperDeserializer<LeaseReply> {

    public LeaseReplyDeserializer() {
        super(LeaseReply.class);
    }
}

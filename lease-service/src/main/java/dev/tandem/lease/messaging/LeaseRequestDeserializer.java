package dev.tandem.lease.messaging;

import dev.tandem.protocol.bus.LeaseRequest;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** JSON to {@link LeaseRequest}; an undecodable record becomes a null payload, counted by the consumer. */
public class LeaseRequestDeserializer extends ObjectMapperDeserializer<LeaseRequest> {

    public LeaseRequestDeserializer() {
        super(LeaseRequest.class);
    }
}

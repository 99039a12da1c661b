package dev.tandem.lease.messaging;

import dev.tandem.protocol.bus.BindingAck;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** JSON to {@link BindingAck}; an undecodable record becomes a null payload. */
public class BindingAckDeserializer extends ObjectMapperDeserializer<BindingAck> {

    public BindingAckDeserializer() {
        super(BindingAck.class);
    }
}

package dev.tandem.coordinator.messaging;

import dev.tandem.protocol.bus.BindingUpdate;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** JSON to {@link BindingUpdate}; an undecodable record becomes a null payload. */
public class BindingUpdateDeserializer extends ObjectMapperDeserializer<BindingUpdate> {

    public BindingUpdateDeserializer() {
        super(BindingUpdate.class);
    }
}

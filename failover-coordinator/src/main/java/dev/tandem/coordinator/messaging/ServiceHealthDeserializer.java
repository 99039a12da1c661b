package dev.tandem.coordinator.messaging;

import dev.tandem.protocol.bus.ServiceHealth;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** JSON to {@link ServiceHealth}; an undecodable record becomes a null payload. */
public class ServiceHealthDeserializer extends ObjectMapperDeserializer<ServiceHealth> {

    public ServiceHealthDeserializer() {
        super(ServiceHealth.class);
    }
}

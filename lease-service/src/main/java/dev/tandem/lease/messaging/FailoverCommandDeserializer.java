package dev.tandem.lease.messaging;

import dev.tandem.protocol.bus.FailoverCommand;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** JSON to {@link FailoverCommand}; an undecodable record becomes a null payload. */
public class FailoverCommandDeserializer extends ObjectMapperDeserializer<FailoverCommand> {

    public FailoverCommandDeserializer() {
        super(FailoverCommand.class);
    }
}

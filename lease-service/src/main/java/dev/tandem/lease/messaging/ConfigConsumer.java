package dev.tandem.lease.messaging;

import dev.tandem.lease.service.ConfigService;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Reads the compacted config topic from the beginning; every instance reads all of it. */
@ApplicationScoped
public class ConfigConsumer {

    private final ConfigService configService;

    public ConfigConsumer(ConfigService configService) {
        this.configService = configService;
    }

    @Incoming("config")
    public Uni<Void> onConfig(Record<String, String> record) {
        if (record.value() == null) {
            return Uni.createFrom().voidItem(); // tombstone: a deleted server keeps its last configuration here
        }
        return configService.onConfigRecord(record.key(), record.value());
    }
}

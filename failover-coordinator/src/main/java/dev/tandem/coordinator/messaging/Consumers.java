package dev.tandem.coordinator.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.coordinator.service.Relationships;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.InvalidConfigException;
import dev.tandem.protocol.config.ServerSettings;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** This server's configuration (the relationships) and its binding changes, from Kafka. */
@ApplicationScoped
public class Consumers {

    private final Relationships relationships;
    private final ObjectMapper mapper;
    private final String server;
    private final AtomicLong revision = new AtomicLong(-1);

    public Consumers(Relationships relationships, ObjectMapper mapper, CoordinatorConfig config) {
        this.relationships = relationships;
        this.mapper = mapper;
        this.server = config.server();
    }

    @Incoming("config")
    @Blocking
    public void onConfig(Record<String, String> record) {
        if (record.value() == null || !server.equals(record.key())) {
            return;
        }
        try {
            ServerSettings settings = ConfigValidator.validate(mapper.readValue(record.value(), ServerConfig.class));
            if (settings.revision() < revision.get()) {
                return;
            }
            revision.set(settings.revision());
            relationships.apply(settings);
        } catch (InvalidConfigException e) {
            Log.errorf("Configuration of %s refused, the previous one stays in force: %s", server, e.getMessage());
        } catch (Exception e) {
            Log.errorf("Configuration of %s unreadable, the previous one stays in force: %s", server, e.getMessage());
        }
    }

    @Incoming("binding-updates")
    public void onBindingUpdate(BindingUpdate update) {
        if (update != null) {
            relationships.onBindingUpdate(update);
        }
    }
}

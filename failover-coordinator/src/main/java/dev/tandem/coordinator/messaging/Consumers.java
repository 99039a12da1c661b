package dev.tandem.coordinator.messaging;

import dev.tandem.coordinator.config.ConfigDocuments;
import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.coordinator.service.Relationships;
import dev.tandem.coordinator.service.StateStore;
import dev.tandem.protocol.bus.BindingUpdate;
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
    private final ConfigDocuments documents;
    private final String server;
    private final AtomicLong revision = new AtomicLong(-1);

    private final StateStore store;

    public Consumers(
            Relationships relationships, ConfigDocuments documents, CoordinatorConfig config, StateStore store) {
        this.relationships = relationships;
        this.documents = documents;
        this.server = config.server();
        this.store = store;
    }

    @Incoming("config")
    @Blocking
    public void onConfig(Record<String, String> record) {
        if (record.value() == null || !server.equals(record.key())) {
            return;
        }
        try {
            if (revision.get() < 0) {
                // first document since start: skip to the newest valid one already on the topic
                try {
                    revision.set(Math.max(0, store.newestValidConfigRevision(server)));
                } catch (RuntimeException e) {
                    Log.warnf("Could not read ahead on the configuration topic (%s); applying documents in order", e);
                    revision.set(0);
                }
            }
            ServerSettings settings = documents.read(record.value());
            if (settings.revision() < revision.get()) {
                Log.debugf(
                        "Skipping configuration revision %d: revision %d is newer",
                        settings.revision(), revision.get());
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

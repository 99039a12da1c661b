package dev.tandem.admin.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.admin.config.AdminConfig;
import dev.tandem.admin.entity.ServerConfigEntity;
import dev.tandem.admin.service.Changes;
import dev.tandem.admin.service.Secrets;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.ServerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes the outbox to the compacted {@code tandem.config} topic, keyed by server name, each document with its
 * revision, awaiting the broker (acks=all). Runs right after a change commits and every few seconds, so a document not
 * published because Kafka was away goes out when it is back. A database lock keeps replicas from publishing out of
 * order, so the topic's last record of a server is always its newest document.
 */
@ApplicationScoped
public class ConfigPublisher {

    public static final String CHANNEL = "config";
    private static final ObjectMapper JSON = Json.mapper();
    private static final long LOCK = 0x7075626cL;

    private final MutinyEmitter<String> emitter;
    private final AdminConfig config;
    private final MeterRegistry metrics;
    private final Secrets secrets;

    public ConfigPublisher(
            @Channel(CHANNEL) MutinyEmitter<String> emitter,
            AdminConfig config,
            MeterRegistry metrics,
            Secrets secrets) {
        this.emitter = emitter;
        this.config = config;
        this.metrics = metrics;
        this.secrets = secrets;
    }

    void onCommitted(@Observes(during = TransactionPhase.AFTER_SUCCESS) Changes.Committed committed) {
        publishPending();
    }

    @Scheduled(every = "5s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retry() {
        publishPending();
    }

    /** Publishes every document newer than what was published; the number published. Never throws. */
    public synchronized int publishPending() {
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                Panache.getEntityManager()
                        .createNativeQuery("SELECT pg_advisory_xact_lock(" + LOCK + ")")
                        .getSingleResult();
                List<ServerConfigEntity> pending =
                        ServerConfigEntity.list("revision > publishedRevision order by server");
                for (ServerConfigEntity e : pending) {
                    send(e);
                    e.publishedRevision = e.revision;
                    e.publishedAt = Instant.now();
                    Log.infof("Published the configuration of %s, revision %d", e.server, e.revision);
                }
                return pending.size();
            });
        } catch (RuntimeException e) {
            metrics.counter("tandem_admin_config_publish_failures_total").increment();
            Log.warnf("Configuration not published yet (retried every 5 s): %s", e.toString());
            return 0;
        }
    }

    private void send(ServerConfigEntity e) throws JsonProcessingException {
        ServerConfig d = JSON.readValue(secrets.reveal(e.document), ServerConfig.class);
        ServerConfig document = new ServerConfig(
                d.version(),
                d.server(),
                e.revision,
                d.serverIdentifier(),
                d.offerTimeout(),
                d.declineProbation(),
                d.scopes(),
                d.failover());
        emitter.sendMessage(Message.of(JSON.writeValueAsString(document))
                        .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                .withKey(e.server)
                                .build()))
                .await()
                .atMost(config.publishTimeout());
    }
}

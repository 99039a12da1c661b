package dev.tandem.lease.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.repository.OutboxRepository;
import dev.tandem.lease.repository.OutboxRepository.Stored;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes the outbox to {@code tandem.lease-events}, keyed by address, with CloudEvents headers, waiting for the
 * broker's acknowledgement (acks=all) before an event leaves the outbox. One drain runs at a time per replica, so the
 * events of an address keep their order; a drain is started after every committed batch and every second.
 */
@ApplicationScoped
public class EventPublisher {

    public static final String CHANNEL = "lease-events";

    private final MutinyEmitter<String> emitter;
    private final OutboxRepository outbox;
    private final ObjectMapper mapper;
    private final MeterRegistry metrics;
    private final LeaseServiceConfig config;
    private final String source;
    private final DrainLoop loop;
    /** Events published since the outbox was last vacuumed. */
    private final java.util.concurrent.atomic.AtomicLong sinceVacuum = new java.util.concurrent.atomic.AtomicLong();

    private volatile boolean vacuumFailureLogged;

    public EventPublisher(
            @Channel(CHANNEL) MutinyEmitter<String> emitter,
            OutboxRepository outbox,
            ObjectMapper mapper,
            MeterRegistry metrics,
            LeaseServiceConfig config) {
        this.emitter = emitter;
        this.outbox = outbox;
        this.mapper = mapper;
        this.metrics = metrics;
        this.config = config;
        this.source = "/tandem/" + config.server() + "/lease-service";
        this.loop = new DrainLoop(
                "lease events",
                config.lease().publishBatch(),
                () -> outbox.drain(config.lease().publishBatch(), this::publish),
                () -> metrics.counter("tandem_lease_events_publish_failures_total")
                        .increment());
    }

    /** Starts a drain, or asks the running one to go round again. Never fails. */
    public void trigger() {
        loop.trigger();
    }

    @Scheduled(every = "1s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodic() {
        trigger();
    }

    /** Vacuums the outbox when enough events left it since the last time (see {@link OutboxRepository#vacuum}). */
    @Scheduled(every = "5s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> vacuum() {
        long published = sinceVacuum.get();
        long after = config.lease().outboxVacuumAfter();
        if (after == 0 || published < after) {
            return Uni.createFrom().voidItem();
        }
        return outbox.vacuum()
                .invoke(() -> sinceVacuum.addAndGet(-published))
                .onFailure()
                .recoverWithItem(failure -> {
                    metrics.counter("tandem_lease_outbox_vacuum_failures_total").increment();
                    if (!vacuumFailureLogged) {
                        vacuumFailureLogged = true;
                        Log.warnf(
                                "Vacuuming the lease event outbox failed (%s); autovacuum still cleans it, drains"
                                        + " get slower meanwhile (logged once, counted in"
                                        + " tandem_lease_outbox_vacuum_failures_total)",
                                failure.toString());
                    }
                    return null;
                });
    }

    private Uni<Void> publish(List<Stored> events) {
        List<Uni<Void>> sends = new ArrayList<>(events.size());
        for (Stored stored : events) {
            LeaseEvent event;
            String json;
            try {
                LeaseEvent parsed = mapper.readValue(stored.json(), LeaseEvent.class);
                event = parsed.withSequence(stored.sequence());
                json = mapper.writeValueAsString(event);
            } catch (Exception e) {
                return Uni.createFrom().failure(e);
            }
            RecordHeaders headers = new RecordHeaders();
            header(headers, "ce_specversion", "1.0");
            header(headers, "ce_id", event.id());
            header(headers, "ce_type", LeaseEvent.CE_TYPE_PREFIX + event.type());
            header(headers, "ce_source", source);
            header(headers, "ce_time", event.at().toString());
            header(headers, "ce_subject", event.address());
            header(headers, "content-type", "application/json");
            String key = Ipv4.ofUnsigned(stored.address()).toString();
            Message<String> message = Message.of(json)
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                            .withKey(key)
                            .withHeaders(headers)
                            .build());
            sends.add(emitter.sendMessage(message)
                    .invoke(() -> metrics.counter("tandem_lease_events_published_total", "type", event.type())
                            .increment()));
        }
        return Uni.join()
                .all(sends)
                .andFailFast()
                .invoke(() -> sinceVacuum.addAndGet(events.size()))
                .replaceWithVoid();
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}

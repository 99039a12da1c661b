package dev.tandem.lease.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.repository.LeaseRepository.ScopeCounts;
import dev.tandem.protocol.bus.ScopeStatistics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Address counts per scope: gauges named after Kea's statistics (total-addresses, assigned-addresses,
 * declined-addresses), and the same counts on the compacted {@code tandem.scope-statistics} topic for the admin API,
 * published when they change.
 */
@ApplicationScoped
public class AddressStatistics {

    public static final String CHANNEL = "scope-statistics";

    private final LeaseRepository leases;
    private final MeterRegistry metrics;
    private final MutinyEmitter<String> emitter;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final String server;
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();
    private final Map<String, ScopeCounts> published = new ConcurrentHashMap<>();

    public AddressStatistics(
            LeaseRepository leases,
            MeterRegistry metrics,
            @Channel(CHANNEL) MutinyEmitter<String> emitter,
            ObjectMapper mapper,
            Clock clock,
            LeaseServiceConfig config) {
        this.leases = leases;
        this.metrics = metrics;
        this.emitter = emitter;
        this.mapper = mapper;
        this.clock = clock;
        this.server = config.server();
    }

    @Scheduled(every = "10s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return leases.counts()
                .invoke(this::gauges)
                .onItem()
                .transformToUni(this::publishChanged)
                .onFailure()
                .recoverWithUni(e -> {
                    Log.warnf("Address statistics not refreshed: %s", e.toString());
                    return Uni.createFrom().voidItem();
                });
    }

    private void gauges(List<ScopeCounts> counts) {
        for (ScopeCounts c : counts) {
            gauge("tandem_addresses_total", c.scope()).set(c.total());
            gauge("tandem_addresses_assigned", c.scope()).set(c.assigned());
            gauge("tandem_addresses_free", c.scope()).set(c.free());
            gauge("tandem_addresses_backup", c.scope()).set(c.backup());
            gauge("tandem_addresses_declined", c.scope()).set(c.declined());
            gauge("tandem_failover_unacked_clients", c.scope()).set(c.unacked());
        }
    }

    private Uni<Void> publishChanged(List<ScopeCounts> counts) {
        return Multi.createFrom()
                .iterable(counts)
                .filter(c -> !c.equals(published.get(c.scope())))
                .onItem()
                .transformToUniAndConcatenate(
                        c -> emitter.sendMessage(message(c)).invoke(() -> published.put(c.scope(), c)))
                .collect()
                .last()
                .replaceWithVoid();
    }

    private Message<String> message(ScopeCounts c) {
        ScopeStatistics s = new ScopeStatistics(
                ScopeStatistics.VERSION,
                server,
                c.scope(),
                c.total(),
                c.assigned(),
                c.offered(),
                c.free(),
                c.backup(),
                c.declined(),
                c.unacked(),
                clock.instant());
        try {
            return Message.of(mapper.writeValueAsString(s))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                            .withKey(s.key())
                            .build());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private AtomicLong gauge(String name, String subnet) {
        return values.computeIfAbsent(name + "|" + subnet, k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, AtomicLong::get).tag("subnet", subnet).register(metrics);
            return value;
        });
    }
}

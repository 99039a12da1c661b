package dev.tandem.lease.service;

import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.repository.LeaseRepository.ScopeCounts;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Address gauges per scope, named after Kea's statistics (total-addresses, assigned-addresses, declined-addresses). */
@ApplicationScoped
public class AddressStatistics {

    private final LeaseRepository leases;
    private final MeterRegistry metrics;
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    public AddressStatistics(LeaseRepository leases, MeterRegistry metrics) {
        this.leases = leases;
        this.metrics = metrics;
    }

    @Scheduled(every = "10s", delay = 2, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return leases.counts()
                .invoke(counts -> {
                    for (ScopeCounts c : counts) {
                        gauge("tandem_addresses_total", c.scope()).set(c.total());
                        gauge("tandem_addresses_assigned", c.scope()).set(c.assigned());
                        gauge("tandem_addresses_declined", c.scope()).set(c.declined());
                    }
                })
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    private AtomicLong gauge(String name, String subnet) {
        return values.computeIfAbsent(name + "|" + subnet, k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, AtomicLong::get).tag("subnet", subnet).register(metrics);
            return value;
        });
    }
}

package dev.tandem.coordinator.service;

import dev.tandem.protocol.failover.FailoverState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The metrics of one relationship, tagged with its name. Its gauges read this runner and go with it; its counters stay
 * in the registry, so a relationship restarted (a changed configuration, a lost lease database) counts on.
 */
final class Metrics {

    private final MeterRegistry registry;
    private final Tags tags;
    private final java.util.Set<Meter> gauges = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicLong skew = new AtomicLong();
    private final java.util.Map<String, io.micrometer.core.instrument.Counter> counters =
            new java.util.concurrent.ConcurrentHashMap<>();

    Metrics(
            MeterRegistry registry,
            String relationship,
            Supplier<FailoverState> state,
            Supplier<Instant> since,
            Supplier<Long> pending) {
        this.registry = registry;
        this.tags = Tags.of("relationship", relationship);
        gauges.add(Gauge.builder("tandem_failover_state", () -> state.get().code())
                .tags(tags)
                .description("This server's failover state (draft-ietf-dhc-failover-12 §12.24 code: 2 NORMAL, 3"
                        + " COMMUNICATIONS-INTERRUPTED, 4 PARTNER-DOWN, ...)")
                .register(registry));
        gauges.add(Gauge.builder(
                        "tandem_failover_state_seconds",
                        () -> Instant.now().getEpochSecond() - since.get().getEpochSecond())
                .tags(tags)
                .description("Seconds in the current failover state")
                .register(registry));
        gauges.add(Gauge.builder("tandem_failover_binding_updates_pending", () -> pending.get())
                .tags(tags)
                .description("Our binding updates queued or in flight to the partner")
                .register(registry));
        gauges.add(Gauge.builder("tandem_failover_clock_skew_seconds", skew, AtomicLong::get)
                .tags(tags)
                .description("The partner's clock minus ours, from the last message's time")
                .register(registry));
    }

    void count(String name, String... extraTags) {
        String key = extraTags.length == 0 ? name : name + String.join(",", extraTags);
        counters.computeIfAbsent(key, k -> {
                    return registry.counter(name, tags.and(extraTags));
                })
                .increment();
    }

    void skew(long seconds) {
        skew.set(seconds);
    }

    long skew() {
        return skew.get();
    }

    void close() {
        gauges.forEach(registry::remove);
    }
}

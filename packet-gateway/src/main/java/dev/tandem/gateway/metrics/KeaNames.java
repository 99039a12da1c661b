package dev.tandem.gateway.metrics;

import dev.tandem.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The gateway's packet counters also under the names and labels Kea's Stork exporter gives them
 * ({@code kea_dhcp4_packets_received_total{operation}}, {@code kea_dhcp4_packets_sent_total{operation}}), so that
 * dashboards and alerts written for Kea read Tandem too. No second count: each reads Tandem's own counters
 * ({@code tandem_pkt4_*}). Labelled with the server; a server with several gateways sums them by {@code server}.
 */
@Singleton
public class KeaNames implements MeterBinder {

    static final String RECEIVED = "kea_dhcp4_packets_received";
    static final String SENT = "kea_dhcp4_packets_sent";

    /** Kea's operation label for each Tandem message type received. */
    static final List<String> RECEIVED_TYPES = List.of("discover", "request", "release", "decline", "inform");

    static final List<String> SENT_TYPES = List.of("offer", "ack", "nak");

    /** Kea's receive-side outcomes, as the drop reasons Tandem counts them under. */
    static final Map<String, Predicate<String>> DROPS = Map.of(
            "drop", reason -> true,
            "parse-failed", reason -> reason.startsWith("malformed-") || reason.equals("too-long"),
            "unknown", reason -> reason.equals("no-message-type") || reason.equals("server-message-type"));

    private final String server;

    public KeaNames(GatewayConfig config) {
        this.server = config.server();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String type : RECEIVED_TYPES) {
            register(registry, RECEIVED, type, r -> byType(r, "tandem_pkt4_received_total", type));
        }
        for (String type : SENT_TYPES) {
            register(registry, SENT, type, r -> byType(r, "tandem_pkt4_sent_total", type));
        }
        DROPS.forEach((operation, reasons) -> register(registry, RECEIVED, operation, r -> dropped(r, reasons)));
    }

    private void register(
            MeterRegistry registry,
            String name,
            String operation,
            java.util.function.ToDoubleFunction<MeterRegistry> f) {
        FunctionCounter.builder(name, registry, f)
                .description("Kea's name (Stork exporter) for Tandem's tandem_pkt4_* counters")
                .tag("operation", operation)
                .tag("server", server)
                .register(registry);
    }

    private static double byType(MeterRegistry registry, String name, String type) {
        return registry.find(name).tag("type", type).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    private static double dropped(MeterRegistry registry, Predicate<String> reasons) {
        return registry.find("tandem_pkt4_dropped_total").counters().stream()
                .filter(c -> reasons.test(String.valueOf(c.getId().getTag("reason"))))
                .mapToDouble(Counter::count)
                .sum();
    }
}

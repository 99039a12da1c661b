package dev.tandem.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.bus.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in deploy/grafana: valid, and every metric it queries is one the services register (by the
 * name in their sources), so renaming a metric without the dashboard fails here, not on an operator's screen.
 */
class DashboardTest {

    static final Path DASHBOARD = Manifests.CHART.resolve("../../grafana/tandem-pair.json");
    static final Path ROOT = Manifests.CHART.resolve("../../..");
    static final List<String> SERVICES =
            List.of("packet-gateway", "lease-service", "failover-coordinator", "admin-api", "protocol");
    static final Pattern METRIC = Pattern.compile("\\b((?:kea_dhcp4|tandem)_[a-z0-9_]+)");

    @Test
    void everyPanelQueriesMetricsTheServicesRegister() throws IOException {
        JsonNode dashboard = Json.mapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("tandem-pair");
        Set<Integer> ids = new HashSet<>();
        Set<String> metrics = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("panel ids are unique")
                    .isTrue();
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    metrics.add(m.group(1));
                }
            }
        }
        assertThat(metrics).contains("kea_dhcp4_addresses_assigned_total", "tandem_failover_state");
        String sources = mainSources();
        List<String> unknown = new ArrayList<>();
        for (String metric : metrics) {
            // a counter is registered without the _total Prometheus adds
            String registered = metric.endsWith("_total") ? metric.substring(0, metric.length() - 6) : metric;
            if (!sources.contains("\"" + metric + "\"") && !sources.contains("\"" + registered + "\"")) {
                unknown.add(metric);
            }
        }
        assertThat(unknown).as("metrics no service registers").isEmpty();
    }

    private static String mainSources() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String service : SERVICES) {
            Path main = ROOT.resolve(service).resolve("src/main/java");
            assertThat(main).isDirectory();
            try (Stream<Path> files = Files.walk(main)) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                    try {
                        all.append(Files.readString(f));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        return all.toString();
    }
}

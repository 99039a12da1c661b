package dev.tandem.gateway.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.gateway.config.GatewayConfig;
import dev.tandem.gateway.service.SettingsHolder;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.InvalidConfigException;
import dev.tandem.protocol.config.ServerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Keeps this server's configuration from the compacted config topic; a refused one leaves the old in force. */
@ApplicationScoped
public class ConfigConsumer {

    private final GatewayConfig config;
    private final SettingsHolder holder;
    private final ObjectMapper mapper;
    private final MeterRegistry metrics;

    public ConfigConsumer(GatewayConfig config, SettingsHolder holder, ObjectMapper mapper, MeterRegistry metrics) {
        this.config = config;
        this.holder = holder;
        this.mapper = mapper;
        this.metrics = metrics;
    }

    @Incoming("config")
    public void onConfig(Record<String, String> record) {
        if (!config.server().equals(record.key()) || record.value() == null) {
            return;
        }
        try {
            ServerSettings settings = ConfigValidator.validate(mapper.readValue(record.value(), ServerConfig.class));
            long inForce = holder.current().map(ServerSettings::revision).orElse(-1L);
            if (settings.revision() >= inForce) {
                holder.set(settings);
                Log.infof(
                        "Configuration revision %d in force: %d scope(s)",
                        settings.revision(), settings.scopes().size());
            }
        } catch (InvalidConfigException e) {
            metrics.counter("tandem_config_rejected_total", "reason", "invalid").increment();
            Log.errorf("Configuration refused, the previous one stays in force: %s", e.getMessage());
        } catch (Exception e) {
            metrics.counter("tandem_config_rejected_total", "reason", "invalid").increment();
            Log.errorf(
                    "Configuration refused (not ServerConfig v1 JSON), the previous one stays in force: %s",
                    e.getMessage());
        }
    }
}

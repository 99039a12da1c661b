package dev.tandem.testsupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Range;
import dev.tandem.protocol.bus.ServerConfig.Reservation;
import dev.tandem.protocol.bus.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Configurations for tests: server dhcp-a, identifier 192.0.2.1, offers held 30 s, decline probation 600 s. */
public final class ServerConfigs {

    private ServerConfigs() {}

    /** One scope with one range, default T1 and T2. */
    public static ServerConfig oneScope(
            String subnet,
            String first,
            String last,
            long leaseTime,
            Map<String, String> options,
            List<Reservation> reservations) {
        return new ServerConfig(
                ServerConfig.VERSION,
                "dhcp-a",
                1,
                "192.0.2.1",
                30,
                600,
                List.of(new ServerConfig.Scope(
                        subnet,
                        List.of(new Range(first, last)),
                        List.of(),
                        leaseTime,
                        null,
                        null,
                        options,
                        reservations)));
    }

    /** The configuration renamed to another server, with failover relationships. */
    public static ServerConfig withFailover(
            ServerConfig base, String server, ServerConfig.Relationship... relationships) {
        return new ServerConfig(
                base.version(),
                server,
                base.revision(),
                base.serverIdentifier(),
                base.offerTimeout(),
                base.declineProbation(),
                base.scopes(),
                List.of(relationships));
    }

    /** Publishes a record to a topic of the test broker as JSON and waits for the broker's ack. */
    public static void publish(String topic, String key, Object value) {
        try (var kafka = TestKafka.companion()) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(topic, key, Json.mapper().writeValueAsString(value)))
                    .awaitCompletion(Duration.ofSeconds(20));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Publishes a server's configuration on the config topic. */
    public static void publish(ServerConfig config) {
        publish(Topics.CONFIG, config.server(), config);
    }
}

package dev.tandem.lease;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Range;
import dev.tandem.protocol.bus.ServerConfig.Reservation;
import dev.tandem.protocol.bus.ServerConfig.Scope;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.testsupport.ServerConfigs;
import dev.tandem.testsupport.TestKafka;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Configurations the lease-service tests publish on the config topic. */
public final class TestConfigs {

    public static final String SERVER = "dhcp-a";

    private TestConfigs() {}

    /** 192.0.2.0/24 with pool .10-.59 and a reservation of .5; a small 198.51.100.0/29 pool of 2 addresses. */
    public static ServerConfig standard(long revision) {
        return new ServerConfig(
                ServerConfig.VERSION,
                SERVER,
                revision,
                "192.0.2.1",
                30,
                600,
                List.of(
                        new Scope(
                                "192.0.2.0/24",
                                List.of(new Range("192.0.2.10", "192.0.2.59")),
                                List.of(new Range("192.0.2.20", "192.0.2.21")),
                                3600,
                                null,
                                null,
                                Map.of(
                                        "routers",
                                        "192.0.2.1",
                                        "domain-name-servers",
                                        "192.0.2.53",
                                        "domain-name",
                                        "example.test"),
                                List.of(new Reservation("02:00:5e:00:00:ff", null, "192.0.2.5", "printer"))),
                        new Scope(
                                "198.51.100.0/29",
                                List.of(new Range("198.51.100.2", "198.51.100.3")),
                                List.of(),
                                600,
                                null,
                                null,
                                Map.of(),
                                List.of())));
    }

    public static void publish(String key, String json) {
        try (KafkaCompanion kafka = TestKafka.companion()) {
            kafka.produceStrings()
                    .fromRecords(new ProducerRecord<>(Topics.CONFIG, key, json))
                    .awaitCompletion(Duration.ofSeconds(20));
        }
    }

    public static void publish(ServerConfig config) {
        ServerConfigs.publish(config);
    }
}

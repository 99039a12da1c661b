package dev.tandem.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Real Kafka and PostgreSQL for a {@code @QuarkusTest}. Arguments: {@code database} (default: none, no datasource);
 * {@code server}: the server whose binding-updates topic is created with one partition before the service starts, as
 * in production (the order of its updates and end-of-resend markers is the topic's order).
 */
public class TandemTestResources implements QuarkusTestResourceLifecycleManager {

    private String database;
    private String server;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.get("database");
        server = initArgs.get("server");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", TestKafka.bootstrapServers());
        if (server != null) {
            TestKafka.createTopic(dev.tandem.protocol.bus.Topics.bindingUpdates(server), 1);
        }
        config.put("quarkus.devservices.enabled", "false");
        if (database != null) {
            config.put("quarkus.datasource.reactive.url", TestPostgres.reactiveUrl(database));
            config.put("quarkus.datasource.jdbc.url", TestPostgres.jdbcUrl(database));
            config.put("quarkus.datasource.username", "postgres");
            config.put("quarkus.datasource.password", "postgres");
        }
        return config;
    }

    @Override
    public void stop() {
        // Broker and database are shared by the whole test JVM and stop with it.
    }
}

package dev.tandem.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Real Kafka and PostgreSQL for a {@code @QuarkusTest}. Arguments: {@code database} (default: none, no datasource).
 */
public class TandemTestResources implements QuarkusTestResourceLifecycleManager {

    private String database;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.get("database");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", TestKafka.bootstrapServers());
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

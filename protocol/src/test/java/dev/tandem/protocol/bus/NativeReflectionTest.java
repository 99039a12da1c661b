package dev.tandem.protocol.bus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** Every record of the bus is registered for reflection in native images, and nothing that does not exist is. */
class NativeReflectionTest {

    @Test
    void everyBusRecordIsRegistered() throws Exception {
        List<String> registered = new ArrayList<>();
        try (InputStream in =
                getClass().getResourceAsStream("/META-INF/native-image/dev.tandem/protocol/reflect-config.json")) {
            for (JsonNode n : Json.mapper().readTree(in)) {
                registered.add(n.get("name").asText());
            }
        }
        List<String> records = new ArrayList<>();
        File dir = new File(Objects.requireNonNull(ServerConfig.class.getResource("ServerConfig.class"))
                        .toURI())
                .getParentFile();
        for (File f : Objects.requireNonNull(dir.listFiles((d, n) -> n.endsWith(".class")))) {
            Class<?> c = Class.forName("dev.tandem.protocol.bus." + f.getName().replace(".class", ""));
            if (c.isRecord()) {
                records.add(c.getName());
            }
        }
        assertThat(registered).containsExactlyInAnyOrderElementsOf(records);
    }
}

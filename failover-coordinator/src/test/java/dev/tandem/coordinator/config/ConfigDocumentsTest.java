package dev.tandem.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.InvalidConfigException;
import dev.tandem.protocol.config.SecretBox;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.testsupport.FailoverFixtures;
import dev.tandem.testsupport.ServerConfigs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A relationship's shared secret comes sealed on the configuration topic and opens only with the admin API's key. */
class ConfigDocumentsTest {

    static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    static final String OTHER_KEY = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    final ObjectMapper mapper = Json.mapper();

    @Test
    void aSealedSecretOpensWithTheKey() throws Exception {
        String document = document(new SecretBox(KEY).seal("pair-secret"));
        assertThat(document).doesNotContain("pair-secret");

        ServerSettings settings = new ConfigDocuments(mapper, Optional.of(KEY)).read(document);

        assertThat(settings.relationship("fo").orElseThrow().sharedSecret()).isEqualTo("pair-secret");
    }

    @Test
    void aSealedSecretWithoutTheKeyOrWithAnotherIsRefusedSayingWhy() {
        String document = document(new SecretBox(KEY).seal("pair-secret"));

        assertThatThrownBy(() -> new ConfigDocuments(mapper, Optional.empty()).read(document))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("failover fo")
                .hasMessageContaining("no tandem.config-key");
        assertThatThrownBy(() -> new ConfigDocuments(mapper, Optional.of(OTHER_KEY)).read(document))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("does not open");
    }

    @Test
    void aSecretInClearFromAFileAndNoSecretAtAllPassAsTheyAre() throws Exception {
        ConfigDocuments documents = new ConfigDocuments(mapper, Optional.empty());
        assertThat(documents
                        .read(document("from-a-file"))
                        .relationship("fo")
                        .orElseThrow()
                        .sharedSecret())
                .isEqualTo("from-a-file");
        assertThat(documents
                        .read(document(null))
                        .relationship("fo")
                        .orElseThrow()
                        .sharedSecret())
                .isNull();
    }

    String document(String secret) {
        ServerConfig base =
                ServerConfigs.oneScope("192.0.2.0/24", "192.0.2.10", "192.0.2.20", 600, Map.of(), List.of());
        ServerConfig.Relationship r = FailoverFixtures.relationship(
                        "fo", "primary", "127.0.0.1", 16647, "127.0.0.2", 16647, 60, List.of("192.0.2.0/24"))
                .withSharedSecret(secret);
        try {
            return mapper.writeValueAsString(ServerConfigs.withFailover(base, base.server(), r));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

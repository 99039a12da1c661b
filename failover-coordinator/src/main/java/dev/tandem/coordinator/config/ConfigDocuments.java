package dev.tandem.coordinator.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.InvalidConfigException;
import dev.tandem.protocol.config.SecretBox;
import dev.tandem.protocol.config.ServerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * This server's configuration documents as the coordinator reads them from {@code tandem.config}: each relationship's
 * shared secret comes sealed (see {@link SecretBox}) and is opened here with {@code tandem.config-key}, the key the
 * admin API seals with; only the coordinators hold it. A sealed secret that does not open (no key, another key, an
 * altered value) makes the document invalid: the previous configuration stays in force, and the reason is logged.
 */
@ApplicationScoped
public class ConfigDocuments {

    private final ObjectMapper mapper;
    private final Optional<SecretBox> key;

    @Inject
    public ConfigDocuments(ObjectMapper mapper, CoordinatorConfig config) {
        this(mapper, config.configKey());
    }

    ConfigDocuments(ObjectMapper mapper, Optional<String> key) {
        this.mapper = mapper;
        this.key = key.filter(k -> !k.isBlank()).map(SecretBox::new);
    }

    /** The document parsed, its secrets opened, and validated. */
    public ServerSettings read(String json) throws JsonProcessingException {
        return ConfigValidator.validate(open(mapper.readValue(json, ServerConfig.class)));
    }

    /** The document with each sealed shared secret opened. */
    ServerConfig open(ServerConfig document) {
        if (document.failover() == null
                || document.failover().stream().noneMatch(r -> SecretBox.isSealed(r.sharedSecret()))) {
            return document;
        }
        List<ServerConfig.Relationship> opened = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (ServerConfig.Relationship r : document.failover()) {
            if (!SecretBox.isSealed(r.sharedSecret())) {
                opened.add(r);
            } else if (key.isEmpty()) {
                problems.add("failover " + r.name() + ": its shared secret is sealed and this coordinator has no"
                        + " tandem.config-key (TANDEM_CONFIG_KEY) to open it");
            } else {
                try {
                    opened.add(r.withSharedSecret(key.get().open(r.sharedSecret())));
                } catch (IllegalArgumentException e) {
                    problems.add("failover " + r.name() + ": its shared secret does not open with tandem.config-key ("
                            + e.getMessage() + "): the admin API seals with another key");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return document.withFailover(opened);
    }
}

package dev.tandem.gateway.service;

import dev.tandem.protocol.config.ServerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** The server configuration in force at this gateway. */
@ApplicationScoped
public class SettingsHolder {

    private final AtomicReference<ServerSettings> current = new AtomicReference<>();

    public Optional<ServerSettings> current() {
        return Optional.ofNullable(current.get());
    }

    public void set(ServerSettings settings) {
        current.set(settings);
    }
}

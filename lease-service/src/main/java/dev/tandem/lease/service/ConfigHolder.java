package dev.tandem.lease.service;

import dev.tandem.protocol.config.ServerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** The configuration in force, swapped whole when a new one has been applied to the lease table. */
@ApplicationScoped
public class ConfigHolder {

    private final AtomicReference<ServerSettings> current = new AtomicReference<>();

    public Optional<ServerSettings> current() {
        return Optional.ofNullable(current.get());
    }

    void set(ServerSettings settings) {
        current.set(settings);
    }
}

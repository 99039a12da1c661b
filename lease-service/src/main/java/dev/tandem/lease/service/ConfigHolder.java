package dev.tandem.lease.service;

import dev.tandem.lease.repository.LeaseRepository.Departed;
import dev.tandem.lease.repository.LeaseRepository.Guard;
import dev.tandem.protocol.config.ServerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The configuration in force, swapped whole when a new one has been applied to the lease table, with the scopes that
 * left their failover relationship within its MCLT.
 */
@ApplicationScoped
public class ConfigHolder {

    private record InForce(ServerSettings settings, Map<String, Departed> departed) {}

    private final AtomicReference<InForce> current = new AtomicReference<>();

    public Optional<ServerSettings> current() {
        return Optional.ofNullable(current.get()).map(InForce::settings);
    }

    /** How a scope in no relationship allocates now: as PARTNER-DOWN for a while after it left one, else standalone. */
    public Guard standaloneGuard(String scopeId, Instant now) {
        InForce in = current.get();
        Departed d = in == null ? null : in.departed().get(scopeId);
        return d == null ? Guard.STANDALONE : Guard.departed(d, now);
    }

    /** Puts a configuration in force, unless a later revision already is (two applications may finish crosswise). */
    void set(ServerSettings settings, Map<String, Departed> departed) {
        InForce next = new InForce(settings, Map.copyOf(departed));
        current.updateAndGet(c -> c == null || c.settings().revision() <= settings.revision() ? next : c);
    }
}

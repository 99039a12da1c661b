package dev.tandem.lease.service;

import dev.tandem.lease.domain.Departed;
import dev.tandem.lease.domain.Guard;
import dev.tandem.protocol.config.ServerSettings;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
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

    private static final Duration REVISION_WAIT = Duration.ofSeconds(10);

    private final AtomicReference<InForce> current = new AtomicReference<>();

    public Optional<ServerSettings> current() {
        return Optional.ofNullable(current.get()).map(InForce::settings);
    }

    /**
     * The configuration in force once it is revision {@code revision} or later (the coordinator may run it before this
     * service has applied it), waiting up to 10 s; empty if it is not by then.
     */
    public Uni<Optional<ServerSettings>> atLeast(Long revision) {
        return atLeast(revision == null ? 0 : revision, System.nanoTime() + REVISION_WAIT.toNanos());
    }

    private Uni<Optional<ServerSettings>> atLeast(long revision, long deadline) {
        Optional<ServerSettings> now = current().filter(s -> s.revision() >= revision);
        if (now.isPresent() || System.nanoTime() > deadline) {
            return Uni.createFrom().item(now);
        }
        return Uni.createFrom()
                .voidItem()
                .onItem()
                .delayIt()
                .by(Duration.ofMillis(100))
                .flatMap(x -> atLeast(revision, deadline));
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

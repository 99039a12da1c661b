package dev.tandem.admin.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.admin.domain.Topology;
import dev.tandem.admin.entity.RelationshipEntity;
import dev.tandem.admin.entity.RelationshipScopeEntity;
import dev.tandem.admin.entity.ScopeEntity;
import dev.tandem.admin.entity.ServerConfigEntity;
import dev.tandem.admin.entity.ServerEntity;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.InvalidConfigException;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one way configuration changes: serialised across admin API replicas by a database lock, checked as a whole
 * ({@link Topology#problems()}) before it commits, and turned into new configuration documents in the outbox for the
 * servers it affects. A refused change leaves nothing behind.
 */
@ApplicationScoped
public class Changes {

    /** Fired after a change committed that gave some server a new document. */
    public record Committed(List<String> servers) {}

    private static final ObjectMapper JSON = Json.mapper();
    private static final long LOCK = 0x7a6d696eL;

    private final Secrets secrets;
    private final Event<Committed> committed;
    private final Clock clock;

    public Changes(Secrets secrets, Event<Committed> committed, Clock clock) {
        this.secrets = secrets;
        this.committed = committed;
        this.clock = clock;
    }

    @Transactional
    public <T> T apply(Supplier<T> change) {
        Panache.getEntityManager()
                .createNativeQuery("SELECT pg_advisory_xact_lock(" + LOCK + ")")
                .getSingleResult();
        T result = change.get();
        Panache.getEntityManager().flush();
        Topology topology = topology();
        List<String> problems = topology.problems();
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, ServerConfig> e : topology.documents().entrySet()) {
            String document = json(e.getValue());
            ServerConfigEntity stored = ServerConfigEntity.findById(e.getKey());
            if (stored != null && document.equals(secrets.reveal(stored.document))) {
                continue;
            }
            boolean fresh = stored == null;
            if (fresh) {
                stored = new ServerConfigEntity();
                stored.server = e.getKey();
            }
            stored.document = document; // a shared secret in it is sealed (see relationships())
            // Never reused, not even after the database is lost: a service ignores a revision older than its own.
            stored.revision = Math.max(stored.revision + 1, clock.millis());
            if (fresh) {
                stored.persist();
            }
            changed.add(e.getKey());
        }
        if (!changed.isEmpty()) {
            Log.infof("Configuration changed for %s", changed);
            committed.fire(new Committed(changed));
        }
        return result;
    }

    /** Everything configured, as the domain sees it (shared secrets sealed, as they are stored and published). */
    public Topology topology() {
        List<Topology.Server> servers = ServerEntity.<ServerEntity>listAll().stream()
                .map(s -> new Topology.Server(
                        s.name,
                        s.serverIdentifier,
                        s.failoverAddress,
                        s.failoverPort,
                        s.offerTimeout,
                        s.declineProbation))
                .toList();
        List<Topology.Scope> scopes = ScopeEntity.<ScopeEntity>listAll().stream()
                .map(s -> new Topology.Scope(s.server, Definitions.read(s.definition)))
                .toList();
        List<Topology.Relationship> relationships = RelationshipEntity.<RelationshipEntity>listAll().stream()
                .map(r -> new Topology.Relationship(
                        r.name,
                        r.primaryServer,
                        r.secondaryServer,
                        r.mode,
                        r.loadBalancePercent,
                        r.reservePercent,
                        r.mclt,
                        r.safePeriod,
                        r.maxResponseDelay,
                        r.maxUnackedUpdates,
                        r.loadBalanceMaxSeconds,
                        r.port,
                        r.sharedSecret, // sealed as stored: only the coordinators, which hold the key, open it
                        r.tls,
                        RelationshipScopeEntity.subnetsOf(r.name)))
                .toList();
        return new Topology(servers, scopes, relationships);
    }

    private static String json(ServerConfig document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.tandem.admin.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.admin.api.ServerDocument;
import dev.tandem.admin.api.ServerView;
import dev.tandem.admin.entity.RelationshipEntity;
import dev.tandem.admin.entity.ScopeEntity;
import dev.tandem.admin.entity.ServerConfigEntity;
import dev.tandem.admin.entity.ServerEntity;
import dev.tandem.protocol.config.RelationshipConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;

/** Servers: create, read, replace, delete. */
@ApplicationScoped
public class ServerService {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Changes changes;

    public ServerService(Changes changes) {
        this.changes = changes;
    }

    @Transactional
    public List<ServerView> list() {
        return ServerEntity.<ServerEntity>list("order by name").stream()
                .map(ServerService::view)
                .toList();
    }

    @Transactional
    public ServerView get(String name) {
        return view(find(name));
    }

    public ServerView create(ServerDocument doc) {
        if (doc.name() == null) {
            throw ApiError.badRequest("name: must not be missing");
        }
        changes.apply(() -> {
            if (ServerEntity.findById(doc.name()) != null) {
                throw ApiError.conflict("server " + doc.name() + " exists already");
            }
            ServerEntity s = new ServerEntity();
            s.name = doc.name();
            set(s, doc);
            s.persist();
            return null;
        });
        return get(doc.name());
    }

    public ServerView replace(String name, ServerDocument doc, Long expectedVersion) {
        if (doc.name() != null && !doc.name().equals(name)) {
            throw ApiError.badRequest(
                    "name: a server cannot be renamed (" + name + " in the path, " + doc.name() + " in the body)");
        }
        changes.apply(() -> {
            ServerEntity s = find(name);
            Versions.check("server " + name, s.version, expectedVersion);
            set(s, doc);
            return null;
        });
        return get(name);
    }

    public void delete(String name, Long expectedVersion) {
        changes.apply(() -> {
            ServerEntity s = find(name);
            Versions.check("server " + name, s.version, expectedVersion);
            long relationships = RelationshipEntity.count("primaryServer = ?1 or secondaryServer = ?1", name);
            if (relationships > 0) {
                throw ApiError.conflict(
                        "server " + name + " is in " + relationships + " failover relationship(s): remove them first");
            }
            long scopes = ScopeEntity.count("server", name);
            if (scopes > 0) {
                throw ApiError.conflict("server " + name + " still has " + scopes + " scope(s): delete them first, so"
                        + " that its services stop serving them");
            }
            s.delete();
            return null;
        });
    }

    static ServerEntity find(String name) {
        ServerEntity s = ServerEntity.findById(name);
        if (s == null) {
            throw ApiError.notFound("no server " + name);
        }
        return s;
    }

    private static void set(ServerEntity s, ServerDocument doc) {
        s.serverIdentifier = doc.serverIdentifier();
        s.failoverAddress = doc.failoverAddress();
        s.failoverPort = doc.failoverPort() == null ? RelationshipConfig.DEFAULT_PORT : doc.failoverPort();
        try {
            s.gatewayAddresses =
                    JSON.writeValueAsString(doc.gatewayAddresses() == null ? List.of() : doc.gatewayAddresses());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        s.coordinatorUrl = doc.coordinatorUrl();
        s.offerTimeout = doc.offerTimeout() == null ? 30 : doc.offerTimeout();
        s.declineProbation = doc.declineProbation() == null ? 600 : doc.declineProbation();
    }

    static ServerView view(ServerEntity s) {
        ServerConfigEntity config = ServerConfigEntity.findById(s.name);
        List<String> relationships =
                RelationshipEntity.<RelationshipEntity>list(
                                "primaryServer = ?1 or secondaryServer = ?1 order by name", s.name)
                        .stream()
                        .map(r -> r.name)
                        .toList();
        try {
            return new ServerView(
                    s.name,
                    s.serverIdentifier,
                    s.failoverAddress,
                    s.failoverPort,
                    JSON.readValue(s.gatewayAddresses, new TypeReference<List<String>>() {}),
                    s.coordinatorUrl,
                    s.offerTimeout,
                    s.declineProbation,
                    ScopeEntity.of(s.name).stream().map(sc -> sc.subnet).toList(),
                    relationships,
                    config == null ? 0 : config.revision,
                    config != null && config.publishedRevision >= config.revision,
                    s.version);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.tandem.admin.service;

import dev.tandem.admin.api.RelationshipDocument;
import dev.tandem.admin.api.RelationshipView;
import dev.tandem.admin.entity.RelationshipEntity;
import dev.tandem.admin.entity.RelationshipScopeEntity;
import dev.tandem.admin.entity.ScopeEntity;
import dev.tandem.admin.entity.ServerEntity;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Failover relationships, their scopes and the replication of scope configuration between the two servers, with the
 * semantics of Windows DHCP failover: adding a scope copies it to the partner, removing it (or the relationship) keeps
 * it on the server the operator chooses and deletes the other copy, and replication makes the partner's copy equal to
 * the source's.
 */
@ApplicationScoped
public class RelationshipService {

    private final Changes changes;
    private final Secrets secrets;
    private final Coordinators coordinators;

    public RelationshipService(Changes changes, Secrets secrets, Coordinators coordinators) {
        this.changes = changes;
        this.secrets = secrets;
        this.coordinators = coordinators;
    }

    @Transactional
    public List<RelationshipView> list() {
        return RelationshipEntity.<RelationshipEntity>list("order by name").stream()
                .map(RelationshipService::view)
                .toList();
    }

    @Transactional
    public RelationshipView get(String name) {
        return view(find(name));
    }

    public RelationshipView create(RelationshipDocument doc) {
        if (doc.name() == null) {
            throw ApiError.badRequest("name: must not be missing");
        }
        changes.apply(() -> {
            if (RelationshipEntity.findById(doc.name()) != null) {
                throw ApiError.conflict("relationship " + doc.name() + " exists already");
            }
            RelationshipEntity r = new RelationshipEntity();
            r.name = doc.name();
            set(r, doc, true);
            r.persist();
            return null;
        });
        return get(doc.name());
    }

    public RelationshipView replace(String name, RelationshipDocument doc, Long expectedVersion) {
        if (doc.name() != null && !doc.name().equals(name)) {
            throw ApiError.badRequest("name: a relationship cannot be renamed");
        }
        changes.apply(() -> {
            RelationshipEntity r = find(name);
            Versions.check("relationship " + name, r.version, expectedVersion);
            boolean serversChange = !doc.primaryServer().equals(r.primaryServer)
                    || !doc.secondaryServer().equals(r.secondaryServer);
            if (serversChange && RelationshipScopeEntity.count("relationship", name) > 0) {
                throw ApiError.conflict("the servers of relationship " + name + " cannot change while it holds scopes;"
                        + " remove its scopes first");
            }
            set(r, doc, false);
            return null;
        });
        return get(name);
    }

    /**
     * Removes a relationship. Its scopes stay on {@code keepScopesOn} as ordinary scopes and are deleted from the other
     * server (Micetro's "deconfigure"); an empty relationship needs no choice.
     */
    public void delete(String name, String keepScopesOn, Long expectedVersion) {
        changes.apply(() -> {
            RelationshipEntity r = find(name);
            Versions.check("relationship " + name, r.version, expectedVersion);
            List<String> subnets = RelationshipScopeEntity.subnetsOf(name);
            if (!subnets.isEmpty()) {
                String other = otherServer(r, keepScopesOn, "keepScopesOn");
                for (String subnet : subnets) {
                    ScopeEntity.find(other, subnet).ifPresent(ScopeEntity::delete);
                }
                RelationshipScopeEntity.delete("relationship", name);
            }
            r.delete();
            return null;
        });
    }

    /**
     * Adds a scope to a relationship: it must exist on one of the two servers and is copied to the other, after which
     * both serve it.
     */
    public RelationshipView addScope(String name, String scope) {
        changes.apply(() -> {
            RelationshipEntity r = find(name);
            String subnet = subnetOf(r, scope);
            RelationshipScopeEntity member = RelationshipScopeEntity.findById(subnet);
            if (member != null) {
                throw ApiError.conflict("scope " + subnet + " is in relationship " + member.relationship + " already");
            }
            Optional<ScopeEntity> onPrimary = ScopeEntity.find(r.primaryServer, subnet);
            Optional<ScopeEntity> onSecondary = ScopeEntity.find(r.secondaryServer, subnet);
            ScopeEntity source = onPrimary.or(() -> onSecondary).orElseThrow();
            String target = source.server.equals(r.primaryServer) ? r.secondaryServer : r.primaryServer;
            if (onPrimary.isEmpty() || onSecondary.isEmpty()) {
                ScopeEntity copy = new ScopeEntity();
                copy.server = target;
                copy.subnet = subnet;
                copy.name = source.name;
                copy.definition = source.definition;
                copy.persist();
            }
            RelationshipScopeEntity m = new RelationshipScopeEntity();
            m.subnet = subnet;
            m.relationship = name;
            m.persist();
            membershipChanged(r);
            return null;
        });
        return get(name);
    }

    /** Its scopes are part of a relationship: a change of them is a new version (a new ETag). */
    private static void membershipChanged(RelationshipEntity r) {
        RelationshipEntity.getEntityManager().lock(r, jakarta.persistence.LockModeType.OPTIMISTIC_FORCE_INCREMENT);
    }

    /** Takes a scope out of a relationship: it stays on {@code keepOn} and is deleted from the other server. */
    public RelationshipView removeScope(String name, String scope, String keepOn, boolean force) {
        if (!force) {
            requireNormal(name);
        }
        changes.apply(() -> {
            RelationshipEntity r = find(name);
            String subnet = member(r, scope);
            String other = otherServer(r, keepOn, "keepOn");
            ScopeEntity.find(other, subnet).ifPresent(ScopeEntity::delete);
            RelationshipScopeEntity.deleteById(subnet);
            membershipChanged(r);
            return null;
        });
        return get(name);
    }

    /**
     * A scope leaves safely only while both servers are NORMAL: the one that keeps it then knows every lease but those
     * of the last moments, which it waits out (docs/failover.md). In PARTNER-DOWN the partner may have used its free
     * addresses; in RECOVER it has not got the partner's bindings yet.
     */
    private void requireNormal(String name) {
        List<String> not = new ArrayList<>();
        for (Coordinators.ServerState s : coordinators.state(name)) {
            Object state = s.status() == null ? null : s.status().get("state");
            if (!s.reachable() || s.status() == null) {
                not.add(s.server() + " cannot be asked (" + s.error() + ")");
            } else if (!"NORMAL".equals(state)) {
                not.add(s.server() + " is " + state);
            }
        }
        if (!not.isEmpty()) {
            throw new ApiError(
                    409,
                    "Relationship not NORMAL",
                    "a scope leaves relationship " + name + " only while both servers are NORMAL, or it may end up"
                            + " bound twice: " + String.join("; ", not) + ". force=true takes it out anyway");
        }
    }

    /**
     * Copies the configuration of the relationship's scopes (all, or the one named) from {@code from} to its partner;
     * the source replaces what the partner had. Returns the subnets copied.
     */
    public List<String> replicate(String name, String from, String scope) {
        return changes.apply(() -> {
            RelationshipEntity r = find(name);
            if (from == null || !r.involves(from)) {
                throw ApiError.badRequest("from: must be " + r.primaryServer + " or " + r.secondaryServer);
            }
            List<String> subnets = scope == null ? RelationshipScopeEntity.subnetsOf(name) : List.of(member(r, scope));
            for (String subnet : subnets) {
                copy(from, r.partnerOf(from), subnet);
            }
            return subnets;
        });
    }

    /** Copies every failover scope of a server to its partners. Returns the subnets copied. */
    public List<String> replicateServer(String server) {
        return changes.apply(() -> {
            ServerService.find(server);
            List<String> out = new ArrayList<>();
            for (RelationshipEntity r : RelationshipEntity.<RelationshipEntity>list(
                    "primaryServer = ?1 or secondaryServer = ?1 order by name", server)) {
                for (String subnet : RelationshipScopeEntity.subnetsOf(r.name)) {
                    copy(server, r.partnerOf(server), subnet);
                    out.add(subnet);
                }
            }
            return out;
        });
    }

    private static void copy(String from, String to, String subnet) {
        ScopeEntity source = ScopeEntity.find(from, subnet)
                .orElseThrow(() -> ApiError.conflict("scope " + subnet + " is missing on " + from));
        ScopeEntity target = ScopeEntity.find(to, subnet).orElseGet(() -> {
            ScopeEntity s = new ScopeEntity();
            s.server = to;
            s.subnet = subnet;
            s.persist();
            return s;
        });
        target.name = source.name;
        target.definition = source.definition;
    }

    static RelationshipEntity find(String name) {
        RelationshipEntity r = RelationshipEntity.findById(name);
        if (r == null) {
            throw ApiError.notFound("no relationship " + name);
        }
        return r;
    }

    /** The subnet of a scope (id or CIDR) configured on one of the relationship's servers. */
    private static String subnetOf(RelationshipEntity r, String scope) {
        if (scope == null || scope.isBlank()) {
            throw ApiError.badRequest("scope: must name a scope by its id (network address) or subnet");
        }
        String id = scope.contains("/") ? ScopeService.id(ScopeService.canonical(scope)) : scope.strip();
        for (String server : List.of(r.primaryServer, r.secondaryServer)) {
            try {
                return ScopeService.find(server, id).subnet;
            } catch (ApiError e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
        }
        throw ApiError.notFound("no scope " + scope + " on " + r.primaryServer + " or " + r.secondaryServer);
    }

    private static String member(RelationshipEntity r, String scope) {
        String subnet = subnetOf(r, scope);
        RelationshipScopeEntity m = RelationshipScopeEntity.findById(subnet);
        if (m == null || !m.relationship.equals(r.name)) {
            throw ApiError.notFound("scope " + subnet + " is not in relationship " + r.name);
        }
        return subnet;
    }

    private static String otherServer(RelationshipEntity r, String keep, String parameter) {
        if (keep == null || !r.involves(keep)) {
            throw ApiError.badRequest(parameter + ": name the server that keeps the scopes, " + r.primaryServer + " or "
                    + r.secondaryServer + "; they are deleted from the other");
        }
        return r.partnerOf(keep);
    }

    private void set(RelationshipEntity r, RelationshipDocument doc, boolean creating) {
        for (String server : List.of(doc.primaryServer(), doc.secondaryServer())) {
            if (ServerEntity.findById(server) == null) {
                throw new ApiError(422, "Invalid configuration", "no server " + server, List.of("no server " + server));
            }
        }
        if (doc.primaryServer().equals(doc.secondaryServer())) {
            throw new ApiError(
                    422,
                    "Invalid configuration",
                    "primaryServer and secondaryServer are both " + doc.primaryServer(),
                    List.of("a relationship needs two different servers"));
        }
        r.primaryServer = doc.primaryServer();
        r.secondaryServer = doc.secondaryServer();
        r.mode = doc.mode() == null ? "load-balance" : doc.mode();
        r.loadBalancePercent =
                Objects.requireNonNullElse(doc.loadBalancePercent(), RelationshipConfig.DEFAULT_LOAD_BALANCE_PERCENT);
        r.reservePercent = Objects.requireNonNullElse(doc.reservePercent(), RelationshipConfig.DEFAULT_RESERVE_PERCENT);
        r.mclt = Objects.requireNonNullElse(doc.mclt(), RelationshipConfig.DEFAULT_MCLT);
        r.safePeriod = Objects.requireNonNullElse(doc.safePeriod(), 0L);
        r.maxResponseDelay =
                Objects.requireNonNullElse(doc.maxResponseDelay(), RelationshipConfig.DEFAULT_MAX_RESPONSE_DELAY);
        r.maxUnackedUpdates =
                Objects.requireNonNullElse(doc.maxUnackedUpdates(), RelationshipConfig.DEFAULT_MAX_UNACKED_UPDATES);
        r.loadBalanceMaxSeconds = Objects.requireNonNullElse(
                doc.loadBalanceMaxSeconds(), RelationshipConfig.DEFAULT_LOAD_BALANCE_MAX_SECONDS);
        ServerEntity primary = ServerEntity.findById(doc.primaryServer());
        r.port = Objects.requireNonNullElse(doc.port(), primary.failoverPort);
        r.tls = Boolean.TRUE.equals(doc.tls());
        if (doc.sharedSecret() != null) {
            String secret = doc.sharedSecret();
            if (!secret.isEmpty() && (secret.length() < 8 || SecretBox.isSealed(secret))) {
                String why = "failover " + r.name + ": sharedSecret must have at least 8 characters and not begin with "
                        + SecretBox.PREFIX;
                throw new ApiError(422, "Invalid configuration", why, List.of(why));
            }
            r.sharedSecret = secret.isEmpty() ? null : secrets.seal(secret);
        } else if (creating) {
            r.sharedSecret = null;
        }
    }

    static RelationshipView view(RelationshipEntity r) {
        List<String> scopes = RelationshipScopeEntity.subnetsOf(r.name);
        return new RelationshipView(
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
                r.sharedSecret != null,
                r.tls,
                scopes,
                scopes.isEmpty(),
                r.version);
    }
}

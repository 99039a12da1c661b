package dev.tandem.admin.service;

import dev.tandem.admin.api.ScopeDocument;
import dev.tandem.admin.api.ScopeView;
import dev.tandem.admin.entity.RelationshipEntity;
import dev.tandem.admin.entity.RelationshipScopeEntity;
import dev.tandem.admin.entity.ScopeEntity;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.protocol.net.Subnet;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;

/**
 * Scopes on a server. A scope in a failover relationship has a copy on each of the two servers; each copy is changed on
 * its own server and made equal again by replication, as in Windows failover.
 */
@ApplicationScoped
public class ScopeService {

    private final Changes changes;

    public ScopeService(Changes changes) {
        this.changes = changes;
    }

    @Transactional
    public List<ScopeView> list(String server) {
        ServerService.find(server);
        return ScopeEntity.of(server).stream().map(ScopeService::view).toList();
    }

    /** Every scope on every server. */
    @Transactional
    public List<ScopeView> all() {
        return ScopeEntity.<ScopeEntity>list("order by subnet, server").stream()
                .map(ScopeService::view)
                .toList();
    }

    @Transactional
    public ScopeView get(String server, String id) {
        return view(find(server, id));
    }

    public ScopeView create(String server, ScopeDocument doc) {
        String subnet = canonical(doc.subnet());
        changes.apply(() -> {
            ServerService.find(server);
            if (ScopeEntity.find(server, subnet).isPresent()) {
                throw ApiError.conflict("server " + server + " has a scope " + subnet + " already");
            }
            ScopeEntity s = new ScopeEntity();
            s.server = server;
            s.subnet = subnet;
            s.name = doc.name();
            s.definition = Definitions.write(doc.definition(subnet));
            s.persist();
            return null;
        });
        return get(server, id(subnet));
    }

    public ScopeView replace(String server, String id, ScopeDocument doc, Long expectedVersion) {
        changes.apply(() -> {
            ScopeEntity s = find(server, id);
            Versions.check("scope " + s.subnet + " on " + server, s.version, expectedVersion);
            String subnet = canonical(doc.subnet());
            if (!subnet.equals(s.subnet)) {
                throw ApiError.badRequest("subnet: a scope's subnet cannot change (" + s.subnet + " to " + subnet
                        + "); create another scope");
            }
            s.name = doc.name();
            s.definition = Definitions.write(doc.definition(subnet));
            return null;
        });
        return get(server, id);
    }

    public void delete(String server, String id, Long expectedVersion) {
        changes.apply(() -> {
            ScopeEntity s = find(server, id);
            Versions.check("scope " + s.subnet + " on " + server, s.version, expectedVersion);
            RelationshipScopeEntity member = RelationshipScopeEntity.findById(s.subnet);
            if (member != null) {
                throw ApiError.conflict("scope " + s.subnet + " is in failover relationship " + member.relationship
                        + ": remove it from the relationship first, choosing the server that keeps it");
            }
            s.delete();
            return null;
        });
    }

    /** The scope with this id (its network address) on the server. */
    static ScopeEntity find(String server, String id) {
        ServerService.find(server);
        Ipv4 network;
        try {
            network = Ipv4.parse(id);
        } catch (IllegalArgumentException e) {
            throw ApiError.notFound("no scope " + id + " on " + server + " (a scope's id is its network address)");
        }
        return ScopeEntity.<ScopeEntity>list("server", server).stream()
                .filter(s -> Subnet.parse(s.subnet).network().equals(network))
                .findFirst()
                .orElseThrow(() -> ApiError.notFound("no scope " + id + " on " + server));
    }

    static String canonical(String subnet) {
        try {
            return Subnet.parse(subnet.strip()).toString();
        } catch (IllegalArgumentException e) {
            throw new ApiError(
                    422, "Invalid configuration", "subnet: " + e.getMessage(), List.of("subnet: " + e.getMessage()));
        }
    }

    static String id(String subnet) {
        return Subnet.parse(subnet).network().toString();
    }

    static ScopeView view(ScopeEntity s) {
        ServerConfig.Scope d = Definitions.read(s.definition);
        RelationshipScopeEntity member = RelationshipScopeEntity.findById(s.subnet);
        List<String> servedBy = new ArrayList<>(List.of(s.server));
        if (member != null) {
            RelationshipEntity r = RelationshipEntity.findById(member.relationship);
            servedBy.add(r.partnerOf(s.server));
        }
        return new ScopeView(
                id(s.subnet),
                s.server,
                s.subnet,
                s.name,
                d.ranges(),
                d.exclusions(),
                d.leaseTime(),
                d.renewalTime(),
                d.rebindingTime(),
                d.options(),
                d.reservations(),
                d.ddns(),
                member == null ? null : member.relationship,
                servedBy,
                s.version);
    }
}

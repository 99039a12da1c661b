package dev.tandem.admin.service;

import dev.tandem.admin.api.LeaseView;
import dev.tandem.admin.api.ReservationDocument;
import dev.tandem.admin.entity.RelationshipEntity;
import dev.tandem.admin.entity.RelationshipScopeEntity;
import dev.tandem.admin.entity.ScopeEntity;
import dev.tandem.admin.repository.LeaseRepository;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Reservation;
import dev.tandem.protocol.net.Ipv4;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A scope's reservations, one address each. A change is made to every copy of the scope at once: on a scope in a
 * failover relationship, to the partner's copy too, in the same change, so the two servers never hand one reserved
 * address out differently (Windows leaves this to a replication; ISC and Kea to the operator).
 */
@ApplicationScoped
public class ReservationService {

    private final Changes changes;
    private final LeaseRepository leases;

    public ReservationService(Changes changes, LeaseRepository leases) {
        this.changes = changes;
        this.leases = leases;
    }

    @Transactional
    public List<Reservation> list(String server, String scopeId) {
        return reservations(ScopeService.find(server, scopeId));
    }

    @Transactional
    public Reservation get(String server, String scopeId, String address) {
        ScopeEntity scope = ScopeService.find(server, scopeId);
        String canonical = canonical(address, scope, server);
        return find(reservations(scope), canonical).orElseThrow(() -> notFound(canonical, scope, server));
    }

    /**
     * Creates or replaces the reservation of an address on every copy of the scope.
     *
     * @return whether it was created (it did not exist on this server)
     */
    public boolean put(String server, String scopeId, String address, ReservationDocument doc) {
        return changes.apply(() -> {
            ScopeEntity scope = ScopeService.find(server, scopeId);
            String canonical = canonical(address, scope, server);
            boolean created = find(reservations(scope), canonical).isEmpty();
            Reservation wanted = new Reservation(
                    blankToNull(doc.hardwareAddress()),
                    blankToNull(doc.clientId()),
                    canonical,
                    blankToNull(doc.hostname()));
            refuseIfLeasedToAnother(canonical, wanted);
            for (ScopeEntity copy : copies(scope)) {
                List<Reservation> next = new ArrayList<>(without(reservations(copy), canonical));
                next.add(wanted);
                write(copy, next);
            }
            return created;
        });
    }

    /** Deletes the reservation of an address from every copy of the scope. */
    public void delete(String server, String scopeId, String address) {
        changes.apply(() -> {
            ScopeEntity scope = ScopeService.find(server, scopeId);
            String canonical = canonical(address, scope, server);
            if (find(reservations(scope), canonical).isEmpty()) {
                throw notFound(canonical, scope, server);
            }
            for (ScopeEntity copy : copies(scope)) {
                write(copy, without(reservations(copy), canonical));
            }
            return null;
        });
    }

    /**
     * A reservation of an address another client holds now is refused: either server gives a reserved address to its
     * client, so the two must never disagree on who holds it. The operator ends that lease first (or lets it run out).
     */
    private void refuseIfLeasedToAnother(String address, Reservation wanted) {
        for (LeaseView lease :
                leases.search(new LeaseRepository.Search(null, null, address, null, null, null, "ACTIVE", 10))) {
            boolean same = (wanted.clientId() != null && hex(wanted.clientId()).equals(hex(lease.clientId())))
                    || (wanted.hardwareAddress() != null
                            && hex(wanted.hardwareAddress()).equals(hex(lease.hardwareAddress())));
            if (!same) {
                throw ApiError.conflict(address + " is leased to "
                        + (lease.hardwareAddress() == null ? lease.clientId() : lease.hardwareAddress()) + " on "
                        + lease.server() + " until " + lease.expiresAt()
                        + ": end that lease first (DELETE /api/v1/leases/" + lease.server() + "/" + address
                        + ") or reserve another address");
            }
        }
    }

    private static String hex(String octets) {
        return octets == null ? "" : octets.replaceAll("[:.-]", "").toLowerCase(java.util.Locale.ROOT);
    }

    /** The scope and, in a relationship, the partner's copy of it. */
    private static List<ScopeEntity> copies(ScopeEntity scope) {
        List<ScopeEntity> copies = new ArrayList<>(List.of(scope));
        RelationshipScopeEntity member = RelationshipScopeEntity.findById(scope.subnet);
        if (member != null) {
            RelationshipEntity r = RelationshipEntity.findById(member.relationship);
            ScopeEntity.find(r.partnerOf(scope.server), scope.subnet).ifPresent(copies::add);
        }
        return copies;
    }

    private static List<Reservation> reservations(ScopeEntity scope) {
        List<Reservation> r = Definitions.read(scope.definition).reservations();
        return r == null ? List.of() : r;
    }

    private static void write(ScopeEntity scope, List<Reservation> reservations) {
        ServerConfig.Scope d = Definitions.read(scope.definition);
        List<Reservation> sorted = reservations.stream()
                .sorted(java.util.Comparator.comparing(r -> Ipv4.parse(r.address())))
                .toList();
        scope.definition = Definitions.write(d.withReservations(sorted));
    }

    private static Optional<Reservation> find(List<Reservation> reservations, String address) {
        return reservations.stream().filter(r -> same(r, address)).findFirst();
    }

    private static List<Reservation> without(List<Reservation> reservations, String address) {
        return reservations.stream().filter(r -> !same(r, address)).toList();
    }

    private static boolean same(Reservation r, String address) {
        try {
            return Ipv4.parse(r.address()).toString().equals(address);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The address in its canonical form; one that is no IPv4 address has no reservation (404). */
    private static String canonical(String address, ScopeEntity scope, String server) {
        try {
            return Ipv4.parse(address.strip()).toString();
        } catch (IllegalArgumentException e) {
            throw ApiError.notFound("no reservation " + address + " in scope " + scope.subnet + " on " + server
                    + " (a reservation is named by its IPv4 address)");
        }
    }

    private static ApiError notFound(String address, ScopeEntity scope, String server) {
        return ApiError.notFound("no reservation of " + address + " in scope " + scope.subnet + " on " + server);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}

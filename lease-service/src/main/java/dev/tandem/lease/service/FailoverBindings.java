package dev.tandem.lease.service;

import dev.tandem.lease.domain.BindingUpdatePolicy;
import dev.tandem.lease.domain.LeaseState;
import dev.tandem.lease.repository.BindingRepository;
import dev.tandem.lease.repository.Conflicts;
import dev.tandem.lease.repository.LeaseRepository.Client;
import dev.tandem.lease.repository.OutboxRepository;
import dev.tandem.lease.repository.OutboxRepository.Pending;
import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.ClientKeys;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.failover.RejectReason;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The partner's side of the lease table: its binding updates applied through the acceptance matrix
 * (draft-ietf-dhc-failover-12 §7.1.3) and made durable before they are acknowledged, and its acknowledgements of ours.
 */
@ApplicationScoped
public class FailoverBindings {

    private final Pool pool;
    private final BindingRepository bindings;
    private final OutboxRepository outbox;
    private final LeaseEvents leaseEvents;
    private final ConfigHolder configHolder;
    private final MeterRegistry metrics;
    private final Clock clock;

    public FailoverBindings(
            Pool pool,
            BindingRepository bindings,
            OutboxRepository outbox,
            LeaseEvents leaseEvents,
            ConfigHolder configHolder,
            MeterRegistry metrics,
            Clock clock) {
        this.pool = pool;
        this.bindings = bindings;
        this.outbox = outbox;
        this.leaseEvents = leaseEvents;
        this.configHolder = configHolder;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Applies a batch of the partner's updates in one transaction; one answer per update, in order. An answer is either
     * durable (applied, or refused by the acceptance matrix, which is final) or null: not applied for a passing reason
     * (no configuration yet, a relationship not in it yet, a database failure), so nothing is answered and the
     * coordinator asks again. A refusal is never sent for a passing reason, since the partner takes it as final and
     * would not send the update again.
     */
    public Uni<List<BindingAck>> apply(List<BindingUpdate> updates) {
        Optional<ServerSettings> settings = configHolder.current();
        Instant now = clock.instant();
        if (settings.isEmpty()) {
            Log.warnf("%d partner update(s) not applied: no configuration in force yet", updates.size());
            metrics.counter("tandem_failover_partner_updates_total", "outcome", "deferred")
                    .increment(updates.size());
            return Uni.createFrom().item(java.util.Collections.nCopies(updates.size(), (BindingAck) null));
        }
        // The coordinator may run a relationship before this service has applied the configuration revision that
        // brings it, or brings a scope that joins it or a pool that grows (a partner's full update arrives at once on
        // connecting): a passing reason too, for an address outside the relationship's pools here. Applied before, it
        // would be refused as outside the relationship, for good, or overwritten by the split of a joining scope's
        // free addresses. Other addresses do not wait (a revision this service cannot apply stalls nothing else).
        ServerSettings here = settings.get();
        java.util.function.Predicate<BindingUpdate> inForce =
                u -> here.relationship(u.relationship()).isPresent()
                        && (u.revision() == null || here.revision() >= u.revision() || inRelationship(here, u));
        List<BindingUpdate> known = updates.stream().filter(inForce).toList();
        if (known.size() < updates.size()) {
            Log.warnf(
                    "%d partner update(s) not applied yet: their relationship, or the coordinator's configuration"
                            + " revision, is not in force here (revision %d); the coordinator asks again",
                    updates.size() - known.size(), here.revision());
            metrics.counter("tandem_failover_partner_updates_total", "outcome", "deferred")
                    .increment(updates.size() - known.size());
        }
        return applyKnown(known, settings.get(), now).map(acks -> {
            java.util.Iterator<BindingAck> next = acks.iterator();
            List<BindingAck> out = new ArrayList<>(updates.size());
            for (BindingUpdate u : updates) {
                out.add(inForce.test(u) ? next.next() : null);
            }
            return out;
        });
    }

    /** Whether the update's address is in a pool of its relationship here (an unreadable one counts: it is refused). */
    private static boolean inRelationship(ServerSettings settings, BindingUpdate u) {
        Ipv4 address;
        try {
            address = Ipv4.parse(u.address());
        } catch (RuntimeException e) {
            return true;
        }
        return settings.scopeFor(address)
                .filter(scope -> scope.inPool(address))
                .flatMap(scope -> settings.relationshipOf(scope.id()))
                .filter(r -> r.name().equals(u.relationship()))
                .isPresent();
    }

    private Uni<List<BindingAck>> applyKnown(List<BindingUpdate> updates, ServerSettings settings, Instant now) {
        if (updates.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return inTransaction(updates, settings, now).onFailure().recoverWithUni(e -> {
            Log.warnf("Batch of %d partner updates failed (%s); applying one by one", updates.size(), e.toString());
            return Multi.createFrom()
                    .iterable(updates)
                    .onItem()
                    .transformToUniAndConcatenate(u -> inTransaction(List.of(u), settings, now)
                            .map(list -> Optional.of(list.get(0)))
                            .onFailure()
                            .recoverWithItem(f -> {
                                Log.warnf(
                                        "Partner update of %s not applied (%s); the coordinator asks again",
                                        u.address(), f.toString());
                                metrics.counter("tandem_failover_partner_updates_total", "outcome", "deferred")
                                        .increment();
                                return Optional.<BindingAck>empty();
                            }))
                    .collect()
                    .asList()
                    .map(answers -> {
                        List<BindingAck> out = new ArrayList<>(answers.size());
                        answers.forEach(a -> out.add(a.orElse(null)));
                        return out;
                    });
        });
    }

    private Uni<List<BindingAck>> inTransaction(List<BindingUpdate> updates, ServerSettings settings, Instant now) {
        return Conflicts.retried(pool.withTransaction(conn -> {
            List<Pending> events = new ArrayList<>();
            return Multi.createFrom()
                    .iterable(updates)
                    .onItem()
                    .transformToUniAndConcatenate(u -> applyOne(conn, u, settings, now, events))
                    .collect()
                    .asList()
                    .flatMap(acks -> outbox.append(conn, events).replaceWith(acks));
        }));
    }

    private Uni<BindingAck> applyOne(
            SqlConnection conn, BindingUpdate u, ServerSettings settings, Instant now, List<Pending> events) {
        RelationshipConfig relationship =
                settings.relationship(u.relationship()).orElseThrow();
        Binding b;
        try {
            b = u.toBinding();
        } catch (RuntimeException e) {
            return Uni.createFrom().item(count(reject(u, RejectReason.MISSING_BINDING_INFORMATION, "unreadable")));
        }
        boolean needsClient = b.status() == BindingStatus.ACTIVE
                || b.status() == BindingStatus.EXPIRED
                || b.status() == BindingStatus.RELEASED;
        if (needsClient && (b.hardwareAddress() == null || b.hardwareAddress().length < 2)) {
            return Uni.createFrom()
                    .item(count(reject(u, RejectReason.MISSING_BINDING_INFORMATION, "BNDUPD without CHADDR")));
        }
        String clientKey = clientKey(b);
        return bindings.lock(conn, b.address()).flatMap(local -> {
            if (local.isEmpty()
                    || !local.get().inPool()
                    || !relationship.scopes().contains(local.get().scope())) {
                return Uni.createFrom()
                        .item(count(reject(
                                u, RejectReason.ILLEGAL_ADDRESS, "not in a pool of relationship " + u.relationship())));
            }
            BindingUpdatePolicy.Verdict verdict = BindingUpdatePolicy.decide(
                    local.get().binding(),
                    new BindingUpdatePolicy.Incoming(
                            b.status(),
                            clientKey,
                            b.cltt() > 0 ? Instant.ofEpochSecond(b.cltt()) : null,
                            Boolean.TRUE.equals(u.laterActiveWins())),
                    relationship.primary(),
                    now);
            if (!verdict.accepted()) {
                Log.warnf(
                        "Refused the partner's update %s of relationship %s: %s (%s)",
                        b, u.relationship(), verdict.reason().tag(), verdict.message());
                return Uni.createFrom().item(count(reject(u, verdict.reason(), verdict.message())));
            }
            // A client bound here to another address (each server bound it during a partition) keeps both bindings
            // until its next exchange ends the other or the lease runs out: the wire's whole-second times cannot tell
            // which one it uses, and freeing that one early would let another client have it. An offer here is
            // dropped: it is no binding, and one client has one offer.
            String scope = local.get().scope();
            Uni<Optional<BindingRepository.Held>> other = b.status() == BindingStatus.ACTIVE && clientKey != null
                    ? bindings.otherHeld(conn, scope, clientKey, b.address())
                    : Uni.createFrom().item(Optional.empty());
            return other.flatMap(held -> {
                        if (held.isEmpty()) {
                            return Uni.createFrom().voidItem();
                        }
                        if (held.get().state() == LeaseState.ACTIVE) {
                            Log.infof(
                                    "The partner bound %s to client %s, which holds %s here too (bound by each server"
                                            + " apart): both bindings stand until the client's next exchange or"
                                            + " their expiry",
                                    b.address(), clientKey, held.get().address());
                            metrics.counter("tandem_failover_client_bound_twice_total")
                                    .increment();
                            return Uni.createFrom().voidItem();
                        }
                        return bindings.dropOffer(conn, held.get().address(), now);
                    })
                    .flatMap(x -> bindings.apply(
                            conn,
                            b,
                            clientKey,
                            now.plus(settings.declineProbation()),
                            now,
                            Boolean.TRUE.equals(u.sendBack())))
                    .map(applied -> applied(u, b, clientKey, scope, applied, now, events));
        });
    }

    /** An applied update: its lease event, its count, and the acknowledgement to send once committed. */
    private BindingAck applied(
            BindingUpdate u,
            Binding b,
            String clientKey,
            String scope,
            BindingRepository.Applied applied,
            Instant now,
            List<Pending> events) {
        LeaseState state = applied.state();
        events.add(leaseEvents.pending(
                "partner-update",
                state,
                b.address(),
                scope,
                client(b, clientKey),
                now,
                state == LeaseState.ACTIVE || state == LeaseState.DECLINED
                        ? Instant.ofEpochSecond(Math.max(b.leaseExpiration(), now.getEpochSecond()))
                        : null));
        metrics.counter("tandem_failover_partner_updates_total", "outcome", "applied")
                .increment();
        return new BindingAck(
                BindingAck.VERSION,
                u.relationship(),
                u.address(),
                u.sequence(),
                u.potentialExpiration(),
                null,
                null,
                applied.sequence());
    }

    private static Client client(Binding b, String clientKey) {
        HexFormat hex = HexFormat.of();
        byte[] hw = b.hardwareAddress();
        return new Client(
                clientKey,
                hw == null || hw.length < 2 ? null : hex.formatHex(hw, 1, hw.length),
                b.clientId() == null ? null : hex.formatHex(b.clientId()),
                null);
    }

    /** The partner acknowledged (or refused) some of our updates. */
    public Uni<Void> acknowledge(List<BindingAck> acks) {
        List<BindingRepository.Ack> rows = new ArrayList<>(acks.size());
        for (BindingAck ack : acks) {
            if (!ack.accepted()) {
                metrics.counter("tandem_failover_binding_updates_rejected_total", "reason", ack.rejectReason())
                        .increment();
                Log.warnf(
                        "The partner refused our update of %s: %s (%s)",
                        ack.address(), ack.rejectReason(), ack.message());
            }
            rows.add(new BindingRepository.Ack(
                    Ipv4.parse(ack.address()),
                    ack.sequence(),
                    ack.potentialExpiration() > 0 ? Instant.ofEpochSecond(ack.potentialExpiration()) : null,
                    ack.accepted()));
        }
        return bindings.acknowledge(rows, clock.instant());
    }

    static String clientKey(Binding b) {
        byte[] hw = b.hardwareAddress();
        boolean hasId = b.clientId() != null && b.clientId().length > 0;
        if (!hasId && (hw == null || hw.length < 2)) {
            return null;
        }
        return ClientKeys.of(
                b.clientId(),
                hw == null ? 1 : hw[0] & 0xff,
                hw == null ? new byte[0] : java.util.Arrays.copyOfRange(hw, 1, hw.length));
    }

    private BindingAck count(BindingAck ack) {
        metrics.counter(
                        "tandem_failover_partner_updates_total",
                        "outcome",
                        ack.rejectReason().toLowerCase())
                .increment();
        return ack;
    }

    private static BindingAck reject(BindingUpdate u, RejectReason reason, String message) {
        return new BindingAck(
                BindingAck.VERSION,
                u.relationship(),
                u.address() == null ? "0.0.0.0" : u.address(),
                u.sequence(),
                0,
                reason.name(),
                message,
                0);
    }
}

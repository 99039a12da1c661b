package dev.tandem.lease.service;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.domain.ClientRequest;
import dev.tandem.lease.domain.Decision;
import dev.tandem.lease.domain.Guard;
import dev.tandem.lease.domain.LeasePolicy;
import dev.tandem.lease.domain.LeaseState;
import dev.tandem.lease.domain.LeaseTimes;
import dev.tandem.lease.domain.RequestKind;
import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.repository.LeaseRepository.Client;
import dev.tandem.lease.repository.LeaseRow;
import dev.tandem.lease.repository.OutboxRepository;
import dev.tandem.lease.repository.OutboxRepository.Pending;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.failover.ServiceRules;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides and commits a batch of lease requests in one transaction (group commit: one fsync for the batch). If the
 * batch transaction fails (a deadlock with another replica, say), each request is retried in a transaction of its
 * own, so one bad request never holds up the others.
 */
@ApplicationScoped
public class LeaseService {

    /**
     * The reason given to a request older than {@code tandem.lease.max-request-age}: its gateway has stopped waiting,
     * so it is neither decided nor answered.
     */
    public static final String STALE = "stale-request";

    private final LeaseServiceConfig config;
    private final ConfigHolder configHolder;
    private final LeaseRepository leases;
    private final OutboxRepository outbox;
    private final LeaseEvents leaseEvents;
    private final MeterRegistry metrics;
    private final FailoverView failoverView;
    private final Clock clock;
    private final Map<String, Instant> exhaustionLogged = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.time.Duration EXHAUSTION_LOG_INTERVAL = java.time.Duration.ofMinutes(1);

    public LeaseService(
            LeaseServiceConfig config,
            ConfigHolder configHolder,
            LeaseRepository leases,
            OutboxRepository outbox,
            LeaseEvents leaseEvents,
            FailoverView failoverView,
            MeterRegistry metrics,
            Clock clock) {
        this.failoverView = failoverView;
        this.config = config;
        this.configHolder = configHolder;
        this.leases = leases;
        this.outbox = outbox;
        this.leaseEvents = leaseEvents;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** One reply per request, in order. Requests that could not be handled get a NONE reply saying why. */
    public Uni<List<LeaseReply>> handle(List<LeaseRequest> requests) {
        Optional<ServerSettings> settings = configHolder.current();
        if (settings.isEmpty()) {
            return Uni.createFrom()
                    .item(requests.stream()
                            .map(r -> count(r, LeaseReply.none("not-configured")))
                            .toList());
        }
        Instant now = clock.instant();
        return inTransaction(requests, settings.get(), now)
                .onFailure()
                .recoverWithUni(e -> {
                    metrics.counter("tandem_lease_batch_retried_total").increment();
                    Log.warnf(
                            "Batch of %d lease requests failed (%s); retrying one by one",
                            requests.size(), e.toString());
                    return Multi.createFrom()
                            .iterable(requests)
                            .onItem()
                            .transformToUniAndConcatenate(r -> inTransaction(List.of(r), settings.get(), now)
                                    .map(list -> list.get(0))
                                    .onFailure()
                                    .recoverWithItem(f -> {
                                        Log.errorf(f, "Lease request from %s failed", r.clientKey());
                                        return LeaseReply.none("error");
                                    }))
                            .collect()
                            .asList();
                })
                .invoke(replies -> {
                    for (int i = 0; i < replies.size(); i++) {
                        count(requests.get(i), replies.get(i));
                    }
                });
    }

    /**
     * The requests of one client are decided one after the other, in the order they came; the clients of a batch are
     * decided side by side, so their statements are pipelined on the transaction's connection (the database still
     * runs them one at a time, and every write checks in its WHERE clause that the row may still take it). Measured:
     * with one statement waiting for the other, a batch cost a round trip to PostgreSQL per statement, and round trips
     * under a loaded CPU, not the statements, limited the rate (bench/README.md). The facts of each client's first
     * request are locked for the whole batch in one statement; a client's later requests in the batch lock theirs
     * again, after its earlier ones were applied.
     */
    private Uni<List<LeaseReply>> inTransaction(List<LeaseRequest> requests, ServerSettings settings, Instant now) {
        List<Prepared> prepared = new ArrayList<>(requests.size());
        for (LeaseRequest r : requests) {
            prepared.add(prepare(r, settings, now));
        }
        java.util.Collection<List<Integer>> groups = byClient(requests);
        Map<Integer, Integer> batchFacts = new java.util.HashMap<>(); // request position -> position in wanted
        List<LeaseRepository.Facts> wanted = new ArrayList<>();
        for (List<Integer> indexes : groups) {
            indexes.stream()
                    .filter(i -> prepared.get(i).early() == null)
                    .findFirst()
                    .ifPresent(i -> {
                        batchFacts.put(i, wanted.size());
                        wanted.add(prepared.get(i).facts());
                    });
        }
        return leases.pool().withTransaction(conn -> {
            List<Pending> events = new ArrayList<>();
            LeaseReply[] replies = new LeaseReply[requests.size()];
            return leases.lockFacts(conn, wanted)
                    .flatMap(locked -> Multi.createFrom()
                            .iterable(groups)
                            .onItem()
                            .transformToUniAndMerge(indexes -> Multi.createFrom()
                                    .iterable(indexes)
                                    .onItem()
                                    .transformToUniAndConcatenate(i -> {
                                        Integer at = batchFacts.get(i);
                                        return handleOne(
                                                        conn,
                                                        prepared.get(i),
                                                        at == null ? null : locked.get(at),
                                                        settings,
                                                        now,
                                                        events)
                                                .invoke(reply -> replies[i] = reply);
                                    })
                                    .collect()
                                    .last())
                            .collect()
                            .last())
                    .flatMap(x -> outbox.append(conn, events))
                    .map(x -> List.of(replies));
        });
    }

    /** The positions of the requests in the batch, grouped by client in the order each client's requests came. */
    static java.util.Collection<List<Integer>> byClient(List<LeaseRequest> requests) {
        Map<String, List<Integer>> groups = new java.util.LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            LeaseRequest r = requests.get(i);
            String key = r == null || r.clientKey() == null ? "#" + i : r.clientKey();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        return groups.values();
    }

    /**
     * A request checked before it reaches the database: either answered already ({@code early}), or ready to be
     * decided on the facts it names.
     */
    private record Prepared(
            LeaseReply early,
            LeaseRequest r,
            ScopeConfig scope,
            ClientRequest request,
            Optional<FailoverView.Context> failover) {

        static Prepared answered(LeaseReply reply) {
            return new Prepared(reply, null, null, null, Optional.empty());
        }

        LeaseRepository.Facts facts() {
            return new LeaseRepository.Facts(
                    scope.id(), r.clientKey(), request.subjectAddress().orElse(null));
        }
    }

    private Prepared prepare(LeaseRequest r, ServerSettings settings, Instant now) {
        if (r == null) {
            return Prepared.answered(LeaseReply.none("undecodable-request"));
        }
        if (r.receivedAt() != null
                && r.receivedAt().plus(config.lease().maxRequestAge()).isBefore(now)) {
            return Prepared.answered(LeaseReply.none(STALE));
        }
        Optional<ScopeConfig> found = settings.scope(r.scope());
        if (found.isEmpty()) {
            return Prepared.answered(LeaseReply.none("unknown-scope"));
        }
        ScopeConfig scope = found.get();
        ClientRequest request;
        try {
            request = toClientRequest(r, settings);
        } catch (IllegalArgumentException e) {
            return Prepared.answered(LeaseReply.none("bad-request"));
        }
        Optional<FailoverView.Context> failover = failoverView.context(settings, scope.id(), now);
        if (failover.isPresent() && !failover.get().serves()) {
            // draft-ietf-dhc-failover-12 §9: this state does not answer (the gateway filters first; this is the guard).
            return Prepared.answered(LeaseReply.none("failover-not-serving"));
        }
        if (request.kind() == RequestKind.INFORM) {
            return Prepared.answered(LeaseReplies.reply("ACK", null, null, scope, r));
        }
        return new Prepared(null, r, scope, request, failover);
    }

    /** Decides and applies one request on its locked facts; null facts: lock them first. */
    private Uni<LeaseReply> handleOne(
            SqlConnection conn,
            Prepared p,
            List<LeaseRow> locked,
            ServerSettings settings,
            Instant now,
            List<Pending> events) {
        if (p.early() != null) {
            return Uni.createFrom().item(p.early());
        }
        LeaseRequest r = p.r();
        LeaseRepository.Facts facts = p.facts();
        Uni<List<LeaseRow>> rowsOf = locked != null
                ? Uni.createFrom().item(locked)
                : leases.lockFacts(conn, facts.scope(), facts.clientKey(), facts.subject());
        Client client = new Client(r.clientKey(), r.hardwareAddress(), r.clientId(), r.hostname());
        return rowsOf.flatMap(rows -> {
            Optional<LeaseRow> clientRow = clientRow(rows, r.clientKey());
            Optional<LeaseRow> subjectRow = rows.stream()
                    .filter(row -> row.address().equals(facts.subject()))
                    .findFirst();
            Decision decision = LeasePolicy.decide(
                    p.request(), p.scope(), clientRow.map(LeaseRow::binding), subjectRow.map(LeaseRow::binding), now);
            return apply(conn, decision, r, p.scope(), settings, client, clientRow, rows, p.failover(), now, events);
        });
    }

    private Uni<LeaseReply> apply(
            SqlConnection conn,
            Decision decision,
            LeaseRequest r,
            ScopeConfig scope,
            ServerSettings settings,
            Client client,
            Optional<LeaseRow> clientRow,
            List<LeaseRow> rows,
            Optional<FailoverView.Context> failover,
            Instant now,
            List<Pending> events) {
        Instant offerUntil = now.plus(settings.offerTimeout());
        LeaseTimes desired = LeaseTimes.grant(scope, r.requestedLeaseTime());
        Guard guard = failover.map(FailoverView.Context::guard)
                .orElseGet(() -> configHolder.standaloneGuard(scope.id(), now));
        boolean track = guard.track();
        if (decision instanceof Decision.Offer offer) {
            LeaseTimes times = capped(desired, failover, acknowledged(rows, offer.address(), client), now);
            return vacateOther(conn, rows, offer.address(), false, client, scope, track, now, events)
                    .flatMap(x -> leases.offer(conn, scope.id(), offer.address(), client, offerUntil, now, guard))
                    .flatMap(ok -> ok
                            ? Uni.createFrom().item(LeaseReplies.reply("OFFER", offer.address(), times, scope, r))
                            : allocate(
                                    conn,
                                    r,
                                    scope,
                                    client,
                                    offerUntil,
                                    capped(desired, failover, null, now),
                                    guard,
                                    now));
        }
        if (decision instanceof Decision.AllocateAndOffer) {
            return vacateOther(conn, rows, null, false, client, scope, track, now, events)
                    .flatMap(x -> allocate(
                            conn, r, scope, client, offerUntil, capped(desired, failover, null, now), guard, now));
        }
        if (decision instanceof Decision.Ack ack) {
            LeaseTimes times = capped(desired, failover, acknowledged(rows, ack.address(), client), now);
            Instant until = now.plusSeconds(times.lease());
            Instant potential = ServiceRules.potentialExpiration(desired.lease(), times.lease(), now);
            return vacateOther(conn, rows, ack.address(), true, client, scope, track, now, events)
                    .flatMap(x -> leases.bind(conn, scope.id(), ack.address(), client, until, now, guard, potential))
                    .map(ok -> {
                        if (!ok) {
                            return LeaseReplies.nak("address no longer available");
                        }
                        events.add(leaseEvents.pending(
                                ack.renewal() ? "renewed" : "committed",
                                LeaseState.ACTIVE,
                                ack.address(),
                                scope.id(),
                                client,
                                now,
                                until));
                        return LeaseReplies.reply("ACK", ack.address(), times, scope, r);
                    });
        }
        if (decision instanceof Decision.Nak nak) {
            return Uni.createFrom().item(LeaseReplies.nak(nak.message()));
        }
        if (decision instanceof Decision.Withdraw w) {
            return leases.endHolding(conn, w.address(), client.key(), "OFFERED", "FREE", null, now, false)
                    .replaceWith(LeaseReply.none("selected-other-server"));
        }
        if (decision instanceof Decision.Release rel) {
            return leases.endHolding(conn, rel.address(), client.key(), "ACTIVE", "RELEASED", null, now, track)
                    .map(ok -> {
                        if (ok) {
                            events.add(leaseEvents.pending(
                                    "released", LeaseState.RELEASED, rel.address(), scope.id(), client, now, null));
                        }
                        return LeaseReply.none(ok ? "released" : "release-without-binding");
                    });
        }
        if (decision instanceof Decision.Decline d) {
            Instant until = now.plus(settings.declineProbation());
            String from = clientRow
                    .filter(row -> row.address().equals(d.address()))
                    .map(row -> row.state().name())
                    .orElse("ACTIVE");
            return leases.endHolding(conn, d.address(), client.key(), from, "DECLINED", until, now, track)
                    .map(ok -> {
                        if (ok) {
                            Log.warnf(
                                    "Address %s declined by %s: in use by something else; out of use until %s",
                                    d.address(), client.key(), until);
                            events.add(leaseEvents.pending(
                                    "declined", LeaseState.DECLINED, d.address(), scope.id(), client, now, until));
                        }
                        return LeaseReply.none(ok ? "declined" : "decline-without-binding");
                    });
        }
        if (decision instanceof Decision.InformAck) {
            return Uni.createFrom().item(LeaseReplies.reply("ACK", null, null, scope, r));
        }
        return Uni.createFrom().item(LeaseReply.none(((Decision.Ignore) decision).reason()));
    }

    private Uni<LeaseReply> allocate(
            SqlConnection conn,
            LeaseRequest r,
            ScopeConfig scope,
            Client client,
            Instant until,
            LeaseTimes times,
            Guard guard,
            Instant now) {
        return leases.allocate(conn, scope.id(), client, until, now, guard).map(address -> {
            if (address == null && !guard.others()) {
                // draft-ietf-dhc-failover-12 §9: renewals only (RECOVER-DONE, a handover's drain, a joining scope)
                return LeaseReply.none("failover-not-allocating");
            }
            if (address == null) {
                metrics.counter("tandem_pool_exhausted_total", "subnet", scope.id())
                        .increment();
                Instant last = exhaustionLogged.get(scope.id());
                if (last == null || last.plus(EXHAUSTION_LOG_INTERVAL).isBefore(now)) {
                    exhaustionLogged.put(scope.id(), now);
                    Log.warnf(
                            "No free address in scope %s for %s: pool exhausted (counted in"
                                    + " tandem_pool_exhausted_total; logged at most once a minute per scope)",
                            scope.id(), client.key());
                }
                return LeaseReply.none("pool-exhausted");
            }
            return LeaseReplies.reply("OFFER", address, times, scope, r);
        });
    }

    /**
     * A client holds one address per scope: before it is offered another, its other offers are withdrawn; once it is
     * acknowledged another ({@code bindings}), its other leases end as released. A client that REQUESTs an address
     * uses none of its others, so for the partner this is a release by the client's later transaction (time(1) of the
     * acceptance matrix), which it accepts unless it has a later transaction of the client on that address itself;
     * then both agree that the address is free once the partner has acknowledged it. Not at a DISCOVER: the client may
     * yet take the partner's offer of the address it held there, and the two servers' clocks may differ.
     */
    private Uni<Void> vacateOther(
            SqlConnection conn,
            List<LeaseRow> rows,
            Ipv4 keep,
            boolean bindings,
            Client client,
            ScopeConfig scope,
            boolean track,
            Instant now,
            List<Pending> events) {
        // Every other offer or binding of the client ends: usually one; two bindings after a partition in which each
        // server of a pair bound the client (FailoverBindings).
        List<LeaseRow> others = rows.stream()
                .filter(row -> client.key().equals(row.clientKey())
                        && !row.address().equals(keep)
                        && (row.state() == LeaseState.OFFERED || (bindings && row.state() == LeaseState.ACTIVE)))
                .toList();
        Uni<Void> done = Uni.createFrom().voidItem();
        for (LeaseRow row : others) {
            boolean active = row.state() == LeaseState.ACTIVE;
            done = done.flatMap(x -> leases.endHolding(
                                    conn,
                                    row.address(),
                                    client.key(),
                                    row.state().name(),
                                    active ? "RELEASED" : "FREE",
                                    null,
                                    now,
                                    track && active)
                            .invoke(ok -> {
                                if (ok && active) {
                                    events.add(leaseEvents.pending(
                                            "released",
                                            LeaseState.RELEASED,
                                            row.address(),
                                            scope.id(),
                                            client,
                                            now,
                                            null));
                                }
                            }))
                    .replaceWithVoid();
        }
        return done;
    }

    /** Under failover a lease never exceeds what the partner acknowledged plus MCLT (draft §5.2.1). */
    private static LeaseTimes capped(
            LeaseTimes desired, Optional<FailoverView.Context> failover, Instant acknowledged, Instant now) {
        return failover.map(f -> desired.atMost(ServiceRules.leaseTime(desired.lease(), acknowledged, f.mclt(), now)))
                .orElse(desired);
    }

    /** The potential expiration the partner acknowledged for this client's binding of the address (§5.2.1). */
    private static Instant acknowledged(List<LeaseRow> rows, Ipv4 address, Client client) {
        return rows.stream()
                .filter(row -> row.address().equals(address)
                        && row.state() != LeaseState.FREE
                        && client.key().equals(row.clientKey()))
                .map(LeaseRow::tsfp)
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    /** The client's most relevant row: the one it holds, else the one it used most recently. */
    private static Optional<LeaseRow> clientRow(List<LeaseRow> rows, String clientKey) {
        return rows.stream()
                .filter(row -> clientKey.equals(row.clientKey()))
                .filter(row -> row.state() != LeaseState.FREE && row.state() != LeaseState.DECLINED)
                .max(Comparator.<LeaseRow>comparingInt(
                                row -> row.state() == LeaseState.ACTIVE || row.state() == LeaseState.OFFERED ? 1 : 0)
                        .thenComparing(row -> row.updatedAt() == null ? Instant.EPOCH : row.updatedAt()));
    }

    static ClientRequest toClientRequest(LeaseRequest r, ServerSettings settings) {
        Ipv4 ciaddr = Ipv4.parse(r.ciaddr());
        Optional<Ipv4> requested = Optional.ofNullable(r.requestedAddress()).map(Ipv4::parse);
        Optional<Ipv4> serverId = Optional.ofNullable(r.serverId()).map(Ipv4::parse);
        RequestKind kind = RequestKind.classify(
                r.messageType(), serverId.isPresent(), requested.isPresent(), !ciaddr.isAny(), r.broadcast());
        return new ClientRequest(
                kind,
                r.clientKey(),
                r.clientId(),
                r.hardwareAddress(),
                ciaddr,
                requested,
                serverId,
                serverId.map(settings.serverIdentifier()::equals).orElse(false));
    }

    private LeaseReply count(LeaseRequest r, LeaseReply reply) {
        String type = r == null ? "unknown" : r.messageType();
        String outcome =
                "NONE".equals(reply.action()) ? reply.reason() : reply.action().toLowerCase();
        metrics.counter("tandem_lease_requests_total", "type", type, "outcome", outcome)
                .increment();
        return reply;
    }
}

package dev.tandem.lease.service;

import dev.tandem.lease.domain.Decision;
import dev.tandem.lease.domain.LeasePolicy;
import dev.tandem.lease.domain.LeaseState;
import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.repository.LeaseRepository.Client;
import dev.tandem.lease.repository.LeaseRow;
import dev.tandem.lease.repository.OutboxRepository;
import dev.tandem.lease.repository.OutboxRepository.Pending;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.config.ServerSettings;
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
 * Decides and commits a batch of lease requests in one transaction (group commit: one fsync for the batch): each is
 * triaged ({@link RequestTriage}), its client's rows locked, decided by {@link LeasePolicy} and carried out
 * ({@link DecisionWriter}); the lease events go to the outbox in the same transaction. If the batch transaction fails
 * (a deadlock with another replica, say), each request is retried in a transaction of its own, so one bad request
 * never holds up the others.
 */
@ApplicationScoped
public class LeaseService {

    private final ConfigHolder configHolder;
    private final RequestTriage triage;
    private final DecisionWriter writer;
    private final LeaseRepository leases;
    private final OutboxRepository outbox;
    private final MeterRegistry metrics;
    private final Clock clock;

    public LeaseService(
            ConfigHolder configHolder,
            RequestTriage triage,
            DecisionWriter writer,
            LeaseRepository leases,
            OutboxRepository outbox,
            MeterRegistry metrics,
            Clock clock) {
        this.configHolder = configHolder;
        this.triage = triage;
        this.writer = writer;
        this.leases = leases;
        this.outbox = outbox;
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
     * runs them one at a time, and every write checks in its WHERE clause that the row may still take it): one statement
     * waiting for the other costs a round trip each (bench/README.md has the measurements). The facts of each client's first
     * request are locked for the whole batch in one statement; a client's later requests in the batch lock theirs
     * again, after its earlier ones were applied.
     */
    private Uni<List<LeaseReply>> inTransaction(List<LeaseRequest> requests, ServerSettings settings, Instant now) {
        List<Triaged> prepared = new ArrayList<>(requests.size());
        for (LeaseRequest r : requests) {
            prepared.add(triage.triage(r, settings, now));
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

    /** Decides and applies one request on its locked facts; null facts: lock them first. */
    private Uni<LeaseReply> handleOne(
            SqlConnection conn,
            Triaged t,
            List<LeaseRow> locked,
            ServerSettings settings,
            Instant now,
            List<Pending> events) {
        if (t.early() != null) {
            return Uni.createFrom().item(t.early());
        }
        LeaseRequest r = t.request();
        LeaseRepository.Facts facts = t.facts();
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
                    t.client(), t.scope(), clientRow.map(LeaseRow::binding), subjectRow.map(LeaseRow::binding), now);
            return writer.apply(conn, decision, t, settings, client, clientRow, rows, now, events);
        });
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

    private LeaseReply count(LeaseRequest r, LeaseReply reply) {
        String type = r == null ? "unknown" : r.messageType();
        String outcome =
                "NONE".equals(reply.action()) ? reply.reason() : reply.action().toLowerCase();
        metrics.counter("tandem_lease_requests_total", "type", type, "outcome", outcome)
                .increment();
        return reply;
    }
}

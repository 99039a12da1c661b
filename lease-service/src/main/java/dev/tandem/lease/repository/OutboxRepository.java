package dev.tandem.lease.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The lease event outbox: written in the lease transaction, drained to Kafka after commit. */
@ApplicationScoped
public class OutboxRepository {

    private final Pool pool;

    public OutboxRepository(Pool pool) {
        this.pool = pool;
    }

    /** Stores the events in order, in one statement. */
    public Uni<Void> append(SqlConnection conn, List<Pending> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Long[] addresses = new Long[events.size()];
        String[] json = new String[events.size()];
        for (int i = 0; i < events.size(); i++) {
            addresses[i] = events.get(i).address();
            json[i] = events.get(i).json();
        }
        return conn.preparedQuery("INSERT INTO lease_event_outbox (address, event)"
                        + " SELECT a, e FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS t(a, e, n) ORDER BY n")
                .execute(Tuple.of(addresses, json))
                .replaceWithVoid();
    }

    /**
     * Locks up to {@code limit} unpublished events in order, hands them to {@code publish} and deletes them once it
     * completes; if publishing fails the transaction rolls back and the events stay for the next attempt. Returns how
     * many were published. (Two statements, not one DELETE ... RETURNING of a locking subquery: bench/README.md.)
     */
    public Uni<Integer> drain(int limit, Function<List<Stored>, Uni<Void>> publish) {
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT sequence, address, event FROM lease_event_outbox"
                        + " ORDER BY sequence LIMIT $1 FOR UPDATE SKIP LOCKED")
                .execute(Tuple.of(limit))
                .flatMap(rs -> {
                    List<Stored> events = new ArrayList<>();
                    for (Row row : rs) {
                        events.add(new Stored(row.getLong("sequence"), row.getLong("address"), row.getString("event")));
                    }
                    if (events.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    Long[] sequences = events.stream().map(Stored::sequence).toArray(Long[]::new);
                    return publish.apply(events)
                            .flatMap(x -> conn.preparedQuery("DELETE FROM lease_event_outbox WHERE sequence = ANY($1)")
                                    .execute(Tuple.of(sequences)))
                            .replaceWith(events.size());
                }));
    }

    /**
     * Vacuums the outbox. Every published event leaves a dead row and a dead index entry, and the drain's ordered scan
     * walks them from the head of the index until the table is vacuumed; autovacuum visits a database at most once a
     * minute (bench/README.md has what that cost at 2,500 DORA/s).
     */
    public Uni<Void> vacuum() {
        return pool.query("VACUUM lease_event_outbox").execute().replaceWithVoid();
    }

    /** An event to store: the address it is about and its JSON without sequence. */
    public record Pending(long address, String json) {}

    /** A stored event with its sequence. */
    public record Stored(long sequence, long address, String json) {}
}

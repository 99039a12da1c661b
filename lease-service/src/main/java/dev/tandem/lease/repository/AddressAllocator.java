package dev.tandem.lease.repository;

import static dev.tandem.lease.repository.LeaseRepository.TAKING;
import static dev.tandem.lease.repository.LeaseRepository.ts;

import dev.tandem.lease.domain.Guard;
import dev.tandem.lease.repository.LeaseRepository.Client;
import dev.tandem.protocol.net.Ipv4;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds and offers a free address of a scope for a new client: this replica's allocation cursor per scope and its
 * read-ahead of free addresses after it. Both are hints only: the database still chooses and locks the row, so
 * replicas with cursors of their own stay correct.
 */
@ApplicationScoped
public class AddressAllocator {

    /** Per scope, the last address this instance allocated (see {@link #allocate}). */
    private final Map<String, Long> cursors = new ConcurrentHashMap<>();

    private final FreeReadAhead readAhead = new FreeReadAhead();

    /**
     * Takes the next free address of the scope after the last one this instance allocated there (wrapping around at
     * the end of the pool), in a pool the guard allows; else (where it allows reuse) the longest-unused released or
     * expired one; null if none.
     *
     * <p>The cursor is Kea's iterative allocator: starting each search at the lowest free address would walk the index
     * entries of every address allocated since the last vacuum, while starting after the last allocation finds a live
     * entry at once (bench/README.md has the measurements). The cursor
     * is only a hint: the row is still chosen and locked by the database, so replicas with cursors of their own stay
     * correct.
     *
     * <p>The free addresses after the cursor are read ahead ({@link FreeReadAhead}) and each allocation takes its own
     * by primary key. Allocations of one batch run side by side on its connection, and a search from the shared cursor
     * walked past the rows the batch had just taken (bench/README.md, "What changed: allocation").
     * After {@value #READ_AHEAD_ATTEMPTS} read-ahead addresses taken by someone else (another replica), or at the end of
     * the pool, the allocation searches as before and the read-ahead continues after what it found.
     */
    public Uni<Ipv4> allocate(
            SqlConnection conn, String scope, Client client, Instant until, Instant now, Guard guard) {
        if (!guard.others()) {
            return Uni.createFrom().nullItem();
        }
        String line = scope + "/" + guard.backupPool();
        return takeReadAhead(conn, line, scope, client, until, now, guard, READ_AHEAD_ATTEMPTS)
                .flatMap(taken -> taken != null
                        ? Uni.createFrom().item(taken)
                        : search(conn, line, scope, client, until, now, guard));
    }

    private static final int READ_AHEAD_ATTEMPTS = 3;

    private Uni<Ipv4> takeReadAhead(
            SqlConnection conn,
            String line,
            String scope,
            Client client,
            Instant until,
            Instant now,
            Guard guard,
            int attempts) {
        if (attempts == 0) {
            return Uni.createFrom().nullItem();
        }
        Long candidate = readAhead.next(line);
        if (candidate == null) {
            return readAhead
                    .readFurther(line, after -> readFree(conn, scope, guard, after))
                    .flatMap(found -> found
                            ? takeReadAhead(conn, line, scope, client, until, now, guard, attempts)
                            : Uni.createFrom().nullItem());
        }
        return take(
                        conn,
                        " AND state = 'FREE' AND address = $9",
                        allocateArgs(scope, client, until, now, guard).addLong(candidate))
                .flatMap(taken -> taken != null
                        ? Uni.createFrom().item(taken)
                        : takeReadAhead(conn, line, scope, client, until, now, guard, attempts - 1));
    }

    private static Uni<List<Long>> readFree(SqlConnection conn, String scope, Guard guard, long after) {
        return conn.preparedQuery("SELECT address FROM lease WHERE scope = $1 AND state = 'FREE' AND in_pool"
                        + " AND reserved_for IS NULL AND ($2::boolean IS NULL OR backup = $2) AND address > $3"
                        + " ORDER BY address LIMIT $4")
                .execute(Tuple.of(scope, guard.backupPool(), after, FreeReadAhead.READ))
                .map(rs -> {
                    List<Long> out = new ArrayList<>(rs.size());
                    for (Row row : rs) {
                        out.add(row.getLong("address"));
                    }
                    return out;
                });
    }

    /** Allocation without read-ahead: the search from the cursor described at {@link #allocate}. */
    private Uni<Ipv4> search(
            SqlConnection conn, String line, String scope, Client client, Instant until, Instant now, Guard guard) {
        long after = cursors.getOrDefault(scope, -1L);
        return allocateFree(conn, scope, client, until, now, guard, after)
                .flatMap(address -> address != null || after < 0
                        ? Uni.createFrom().item(address)
                        : allocateFree(conn, scope, client, until, now, guard, -1L))
                .flatMap(address -> {
                    if (address != null) {
                        cursors.put(scope, address.unsigned());
                        readAhead.restartAfter(line, address.unsigned());
                        return Uni.createFrom().item(address);
                    }
                    if (guard.onlyFree()) {
                        return Uni.createFrom().nullItem();
                    }
                    return take(
                            conn,
                            " AND state IN ('RELEASED', 'EXPIRED')"
                                    + " AND ($9::timestamptz IS NULL OR greatest(expires_at, tstp, tsfp) <= $9)"
                                    + " ORDER BY updated_at",
                            allocateArgs(scope, client, until, now, guard).addOffsetDateTime(ts(guard.reuseBefore())));
                });
    }

    private Uni<Ipv4> allocateFree(
            SqlConnection conn, String scope, Client client, Instant until, Instant now, Guard guard, long after) {
        return take(
                conn,
                " AND state = 'FREE' AND address > $9 ORDER BY address",
                allocateArgs(scope, client, until, now, guard).addLong(after));
    }

    /** Offers the client the first row of the scope that the condition and order pick ($1..$8 as allocateArgs). */
    private static Uni<Ipv4> take(SqlConnection conn, String conditionAndOrder, Tuple args) {
        return conn.preparedQuery("UPDATE lease SET" + TAKING
                        + " state = 'OFFERED', client_key = $2, hw_address = $3, client_id = $4,"
                        + " hostname = $5, expires_at = $6, updated_at = $7 WHERE address = (SELECT address"
                        + " FROM lease WHERE scope = $1 AND in_pool AND reserved_for IS NULL"
                        + " AND ($8::boolean IS NULL OR backup = $8)"
                        + conditionAndOrder
                        + " LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING address")
                .execute(args)
                .map(rs -> rs.rowCount() == 1
                        ? Ipv4.ofUnsigned(rs.iterator().next().getLong("address"))
                        : null);
    }

    private static Tuple allocateArgs(String scope, Client client, Instant until, Instant now, Guard guard) {
        return Tuple.from(new Object[] {
            scope,
            client.key(),
            client.hardwareAddress(),
            client.clientId(),
            client.hostname(),
            ts(until),
            ts(now),
            guard.backupPool()
        });
    }
}

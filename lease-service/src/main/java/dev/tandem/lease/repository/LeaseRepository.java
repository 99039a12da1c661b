package dev.tandem.lease.repository;

import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ScopeConfig.AddressRange;
import dev.tandem.protocol.config.ScopeConfig.ReservationConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.net.Ipv4;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** SQL on the lease table. Every write checks, in its WHERE clause, that the row may still take the change. */
@ApplicationScoped
public class LeaseRepository {

    private static final String COLUMNS = "address, state, client_key, expires_at, updated_at";

    private final Pool pool;

    public LeaseRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** Locks and returns the client's rows in the scope and the row of the subject address. */
    public Uni<List<LeaseRow>> lockFacts(SqlConnection conn, String scope, String clientKey, Ipv4 subject) {
        return conn.preparedQuery(
                        "SELECT " + COLUMNS + " FROM lease WHERE (scope = $1 AND client_key = $2) OR address = $3"
                                + " ORDER BY address FOR UPDATE")
                .execute(Tuple.of(scope, clientKey, subject == null ? -1L : subject.unsigned()))
                .map(LeaseRepository::rows);
    }

    /**
     * The row may go to the client ($2 at time $7): it is the client's, reusable, or its offer or lease ran out, and it
     * is not in decline probation. Parameters: $1 address, $2 client key, ..., $7 now, $8 scope.
     */
    private static final String MAY_TAKE = " WHERE address = $1 AND scope = $8"
            + " AND (client_key = $2 OR state IN ('FREE', 'RELEASED', 'EXPIRED') OR expires_at <= $7)"
            + " AND NOT (state = 'DECLINED' AND expires_at > $7)";

    private static Tuple takeArgs(String scope, Ipv4 address, Client client, Instant until, Instant now) {
        return Tuple.from(new Object[] {
            address.unsigned(),
            client.key(),
            client.hardwareAddress(),
            client.clientId(),
            client.hostname(),
            ts(until),
            ts(now),
            scope
        });
    }

    /** Holds the address for the client. A lease the client already holds stays ACTIVE. */
    public Uni<Boolean> offer(
            SqlConnection conn, String scope, Ipv4 address, Client client, Instant until, Instant now) {
        return conn.preparedQuery("UPDATE lease SET"
                        + " state = CASE WHEN state = 'ACTIVE' AND client_key = $2 AND expires_at > $7 THEN 'ACTIVE' ELSE 'OFFERED' END,"
                        + " expires_at = CASE WHEN state = 'ACTIVE' AND client_key = $2 AND expires_at > $7 THEN expires_at ELSE $6 END,"
                        + " client_key = $2, hw_address = $3, client_id = $4, hostname = $5, updated_at = $7"
                        + MAY_TAKE)
                .execute(takeArgs(scope, address, client, until, now))
                .map(rs -> rs.rowCount() == 1);
    }

    /** Takes the lowest free address of the scope, else the longest-unused released or expired one; null if none. */
    public Uni<Ipv4> allocate(SqlConnection conn, String scope, Client client, Instant until, Instant now) {
        String set =
                "UPDATE lease SET state = 'OFFERED', client_key = $2, hw_address = $3, client_id = $4, hostname = $5,"
                        + " expires_at = $6, updated_at = $7 WHERE address = (SELECT address FROM lease WHERE scope = $1";
        Tuple args = Tuple.from(new Object[] {
            scope, client.key(), client.hardwareAddress(), client.clientId(), client.hostname(), ts(until), ts(now)
        });
        return conn.preparedQuery(set + " AND state = 'FREE' AND in_pool AND reserved_for IS NULL"
                        + " ORDER BY address LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING address")
                .execute(args)
                .flatMap(rs -> rs.rowCount() == 1
                        ? Uni.createFrom().item(rs)
                        : conn.preparedQuery(set
                                        + " AND state IN ('RELEASED', 'EXPIRED') AND in_pool AND reserved_for IS NULL"
                                        + " ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING address")
                                .execute(args))
                .map(rs -> rs.rowCount() == 1
                        ? Ipv4.ofUnsigned(rs.iterator().next().getLong("address"))
                        : null);
    }

    /** Binds the address to the client until the given time. */
    public Uni<Boolean> bind(
            SqlConnection conn, String scope, Ipv4 address, Client client, Instant until, Instant now) {
        return conn.preparedQuery("UPDATE lease SET state = 'ACTIVE', client_key = $2, hw_address = $3, client_id = $4,"
                        + " hostname = $5, expires_at = $6, cltt = $7, updated_at = $7"
                        + MAY_TAKE)
                .execute(takeArgs(scope, address, client, until, now))
                .map(rs -> rs.rowCount() == 1);
    }

    /** Moves the client's held address to a new state (RELEASED, DECLINED, FREE or EXPIRED). */
    public Uni<Boolean> endHolding(
            SqlConnection conn,
            Ipv4 address,
            String clientKey,
            String fromState,
            String toState,
            Instant until,
            Instant now) {
        return conn.preparedQuery("UPDATE lease SET state = $4, expires_at = $5, cltt = $6, updated_at = $6"
                        + " WHERE address = $1 AND client_key = $2 AND state = $3")
                .execute(Tuple.from(
                        new Object[] {address.unsigned(), clientKey, fromState, toState, ts(until), ts(now)}))
                .map(rs -> rs.rowCount() == 1);
    }

    /** Ends offers, leases and probations that ran out; returns the rows changed with their state before. */
    public Uni<List<Expired>> reclaim(SqlConnection conn, Instant now, int limit) {
        return conn.preparedQuery(
                        "WITH due AS (SELECT address, state AS before FROM lease"
                                + " WHERE state IN ('OFFERED', 'ACTIVE', 'DECLINED') AND expires_at <= $1"
                                + " ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
                                + " UPDATE lease l SET state = CASE WHEN due.before = 'ACTIVE' THEN 'EXPIRED' ELSE 'FREE' END,"
                                + " client_key = CASE WHEN due.before = 'DECLINED' THEN NULL ELSE l.client_key END,"
                                + " expires_at = NULL, updated_at = $1 FROM due WHERE l.address = due.address"
                                + " RETURNING l.address, l.scope, due.before, l.client_key, l.hw_address, l.client_id, l.hostname")
                .execute(Tuple.of(ts(now), limit))
                .map(rs -> {
                    List<Expired> out = new ArrayList<>();
                    for (Row row : rs) {
                        out.add(new Expired(
                                Ipv4.ofUnsigned(row.getLong("address")),
                                row.getString("scope"),
                                row.getString("before"),
                                new Client(
                                        row.getString("client_key"),
                                        row.getString("hw_address"),
                                        row.getString("client_id"),
                                        row.getString("hostname"))));
                    }
                    return out;
                })
                .flatMap(out -> conn.preparedQuery(
                                "DELETE FROM lease WHERE NOT in_pool AND state IN ('FREE', 'EXPIRED')")
                        .execute()
                        .replaceWith(out));
    }

    /**
     * Makes the lease table match the configuration: every pool address and reservation has a row; rows of addresses
     * that left the pools are deleted once nothing is bound to them. Serialised across replicas by an advisory lock.
     */
    public Uni<Void> syncPools(ServerSettings settings, Instant now) {
        return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(4711)")
                .execute()
                .flatMap(x -> conn.preparedQuery("SELECT revision FROM applied_config WHERE server = $1")
                        .execute(Tuple.of(settings.server())))
                .flatMap(rs -> {
                    if (rs.iterator().hasNext() && rs.iterator().next().getLong("revision") > settings.revision()) {
                        return Uni.createFrom().voidItem(); // a newer revision is already applied
                    }
                    return conn.query(
                                    "UPDATE lease SET in_pool = false, reserved_for = NULL WHERE in_pool OR reserved_for IS NOT NULL")
                            .execute()
                            .flatMap(y -> Multi.createFrom()
                                    .iterable(settings.scopes())
                                    .onItem()
                                    .transformToUniAndConcatenate(scope -> syncScope(conn, scope))
                                    .collect()
                                    .last())
                            .flatMap(y -> conn.query(
                                            "DELETE FROM lease WHERE NOT in_pool AND state IN ('FREE', 'RELEASED', 'EXPIRED')")
                                    .execute())
                            .flatMap(y -> conn.preparedQuery(
                                            "INSERT INTO applied_config (server, revision, applied_at)"
                                                    + " VALUES ($1, $2, $3) ON CONFLICT (server) DO UPDATE SET revision = $2, applied_at = $3")
                                    .execute(Tuple.of(settings.server(), settings.revision(), ts(now))))
                            .replaceWithVoid();
                }));
    }

    private Uni<Void> syncScope(SqlConnection conn, ScopeConfig scope) {
        List<Uni<RowSet<Row>>> steps = new ArrayList<>();
        for (AddressRange range : scope.pool()) {
            steps.add(conn.preparedQuery("INSERT INTO lease (address, scope, state, in_pool)"
                            + " SELECT a, $1, 'FREE', true FROM generate_series($2::bigint, $3::bigint) a"
                            + " ON CONFLICT (address) DO UPDATE SET in_pool = true, scope = $1")
                    .execute(Tuple.of(
                            scope.id(), range.first().unsigned(), range.last().unsigned())));
        }
        for (ReservationConfig r : scope.reservations()) {
            String owner = r.clientId() != null ? "id:" + r.clientId() : "hw:" + r.hardwareAddress();
            steps.add(conn.preparedQuery("INSERT INTO lease (address, scope, state, in_pool, reserved_for)"
                            + " VALUES ($1, $2, 'FREE', true, $3)"
                            + " ON CONFLICT (address) DO UPDATE SET in_pool = true, scope = $2, reserved_for = $3")
                    .execute(Tuple.of(r.address().unsigned(), scope.id(), owner)));
        }
        return Multi.createFrom()
                .iterable(steps)
                .onItem()
                .transformToUniAndConcatenate(u -> u)
                .collect()
                .last()
                .replaceWithVoid();
    }

    /** Counts per scope for the address metrics. */
    public Uni<List<ScopeCounts>> counts() {
        return pool.query("SELECT scope, count(*) FILTER (WHERE in_pool) AS total,"
                        + " count(*) FILTER (WHERE state = 'ACTIVE') AS assigned,"
                        + " count(*) FILTER (WHERE state = 'DECLINED') AS declined FROM lease GROUP BY scope")
                .execute()
                .map(rs -> {
                    List<ScopeCounts> out = new ArrayList<>();
                    for (Row row : rs) {
                        out.add(new ScopeCounts(
                                row.getString("scope"),
                                row.getLong("total"),
                                row.getLong("assigned"),
                                row.getLong("declined")));
                    }
                    return out;
                });
    }

    private static List<LeaseRow> rows(RowSet<Row> rs) {
        List<LeaseRow> out = new ArrayList<>(rs.size());
        for (Row row : rs) {
            out.add(LeaseRow.of(row));
        }
        return out;
    }

    /** Who a lease is for. */
    public record Client(String key, String hardwareAddress, String clientId, String hostname) {}

    /** A row the reclaim changed, with its state before. */
    public record Expired(Ipv4 address, String scope, String before, Client client) {}

    /** Address counts of one scope. */
    public record ScopeCounts(String scope, long total, long assigned, long declined) {}
}

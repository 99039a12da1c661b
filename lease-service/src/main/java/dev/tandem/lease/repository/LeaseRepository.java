package dev.tandem.lease.repository;

import dev.tandem.lease.domain.Guard;
import dev.tandem.protocol.net.Ipv4;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SQL on the lease table: locking a request's rows, offering, binding and ending a client's hold, reclaiming expired
 * leases, counting. Every write checks, in its WHERE clause, that the row may still take the change. Finding a free
 * address to allocate is {@link AddressAllocator}'s; keeping the table in step with the configured pools is
 * {@link PoolSync}'s.
 */
@ApplicationScoped
public class LeaseRepository {

    private static final String COLUMNS = "address, state, client_key, expires_at, updated_at, tsfp";

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
     * {@link #lockFacts} for many requests in one statement: the rows of each (scope, client) and of each subject
     * address, locked in address order. Returns one list per wanted entry, in order, as {@link #lockFacts} would.
     */
    public Uni<List<List<LeaseRow>>> lockFacts(SqlConnection conn, List<Facts> wanted) {
        if (wanted.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> scopes = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<Long> subjects = new ArrayList<>();
        for (Facts f : wanted) {
            if (!scopes.contains(f.scope())) {
                scopes.add(f.scope());
            }
            keys.add(f.clientKey());
            if (f.subject() != null) {
                subjects.add(f.subject().unsigned());
            }
        }
        return conn.preparedQuery("SELECT " + COLUMNS + ", scope FROM lease"
                        + " WHERE (scope = ANY($1) AND client_key = ANY($2)) OR address = ANY($3)"
                        + " ORDER BY address FOR UPDATE")
                .execute(Tuple.of(
                        scopes.toArray(String[]::new), keys.toArray(String[]::new), subjects.toArray(Long[]::new)))
                .map(rs -> {
                    Map<Long, LeaseRow> byAddress = new HashMap<>();
                    Map<List<String>, List<LeaseRow>> byClient = new HashMap<>();
                    for (Row row : rs) {
                        LeaseRow lease = LeaseRow.of(row);
                        byAddress.put(lease.address().unsigned(), lease);
                        if (lease.clientKey() != null) {
                            byClient.computeIfAbsent(
                                            List.of(row.getString("scope"), lease.clientKey()), k -> new ArrayList<>())
                                    .add(lease);
                        }
                    }
                    List<List<LeaseRow>> out = new ArrayList<>(wanted.size());
                    for (Facts f : wanted) {
                        List<LeaseRow> mine =
                                new ArrayList<>(byClient.getOrDefault(List.of(f.scope(), f.clientKey()), List.of()));
                        LeaseRow subject = f.subject() == null
                                ? null
                                : byAddress.get(f.subject().unsigned());
                        if (subject != null && !mine.contains(subject)) {
                            mine.add(subject);
                        }
                        out.add(mine);
                    }
                    return out;
                });
    }

    /**
     * The row may go to the client ($2 at time $7): the client holds it, or it is free in a pool this server may use,
     * or (where the failover guard allows) it is reusable: released, expired, or its offer or lease ran out; never in
     * decline probation. Under failover the client takes back its own released or expired address only once the
     * partner has acknowledged that update: until then the partner may already have given it to another client.
     * Parameters: $1 address, $2 client key, ..., $7 now, $8 scope, $9..$14 the {@link Guard}.
     */
    private static final String MAY_TAKE = " WHERE address = $1 AND scope = $8"
            + " AND NOT (state = 'DECLINED' AND expires_at > $7)"
            + " AND ((client_key = $2 AND state <> 'FREE'"
            + " AND NOT (($13 OR $14) AND state IN ('RELEASED', 'EXPIRED') AND update_seq > acked_seq))"
            + " OR ($10 AND ($9::boolean IS NULL OR backup = $9) AND (state = 'FREE' OR (NOT $11"
            + " AND (state IN ('RELEASED', 'EXPIRED') OR expires_at <= $7)"
            + " AND ($12::timestamptz IS NULL OR greatest(expires_at, tstp, tsfp) <= $12)))))";

    private static Tuple takeArgs(String scope, Ipv4 address, Client client, Instant until, Instant now, Guard guard) {
        return Tuple.from(new Object[] {
            address.unsigned(),
            client.key(),
            client.hardwareAddress(),
            client.clientId(),
            client.hostname(),
            ts(until),
            ts(now),
            scope,
            guard.backupPool(),
            guard.others(),
            guard.onlyFree(),
            ts(guard.reuseBefore()),
            guard.track(),
            guard.awaitAck()
        });
    }

    /**
     * What taking a row ($2: the client key) resets. The partner's acknowledged potential expiration belongs to the
     * binding it was acknowledged for (draft §5.2.1): it is kept only while the row stays with the same client, so a
     * new client of a reused address starts at MCLT. A released or expired address is the primary's once the partner
     * has its update (§5.11), so it is the primary's here too if the new offer lapses, as on the partner.
     */
    static final String TAKING = " tsfp = CASE WHEN state = 'FREE' OR client_key IS DISTINCT FROM $2"
            + " THEN NULL ELSE tsfp END,"
            + " backup = CASE WHEN state IN ('RELEASED', 'EXPIRED') THEN false ELSE backup END,";

    /**
     * The update number of a changed binding: a new one, unless the row's previous change is not published yet; then
     * it keeps that number and goes out with its latest content. So a resend's end marker, which follows the changes
     * numbered before it, never overtakes a binding renumbered while the resend was on its way.
     */
    static final String NEXT_UPDATE =
            "CASE WHEN update_seq > published_seq THEN update_seq ELSE nextval('binding_update_seq') END";

    /** Holds the address for the client. A lease the client already holds stays ACTIVE. */
    public Uni<Boolean> offer(
            SqlConnection conn, String scope, Ipv4 address, Client client, Instant until, Instant now, Guard guard) {
        return conn.preparedQuery("UPDATE lease SET" + TAKING
                        + " state = CASE WHEN state = 'ACTIVE' AND client_key = $2 AND expires_at > $7 THEN 'ACTIVE' ELSE 'OFFERED' END,"
                        + " expires_at = CASE WHEN state = 'ACTIVE' AND client_key = $2 AND expires_at > $7 THEN expires_at ELSE $6 END,"
                        + " client_key = $2, hw_address = $3, client_id = $4, hostname = $5, updated_at = $7"
                        + MAY_TAKE)
                .execute(takeArgs(scope, address, client, until, now, guard))
                .map(rs -> rs.rowCount() == 1);
    }

    /**
     * Binds the address to the client until the given time. Under failover the binding gets a new update number (it
     * goes to the partner) and {@code potential} is the potential expiration sent with it.
     */
    public Uni<Boolean> bind(
            SqlConnection conn,
            String scope,
            Ipv4 address,
            Client client,
            Instant until,
            Instant now,
            Guard guard,
            Instant potential) {
        return conn.preparedQuery("UPDATE lease SET" + TAKING
                        + " state = 'ACTIVE', client_key = $2, hw_address = $3, client_id = $4,"
                        + " hostname = $5, expires_at = $6, cltt = $7, updated_at = $7, tstp = $15,"
                        + " update_seq = CASE WHEN $13 THEN " + NEXT_UPDATE + " ELSE update_seq END"
                        + MAY_TAKE)
                .execute(takeArgs(scope, address, client, until, now, guard).addOffsetDateTime(ts(potential)))
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
            Instant now,
            boolean track) {
        return conn.preparedQuery("UPDATE lease SET state = $4, expires_at = $5, cltt = $6, updated_at = $6,"
                        + " update_seq = CASE WHEN $7 THEN " + NEXT_UPDATE + " ELSE update_seq END"
                        + " WHERE address = $1 AND client_key = $2 AND state = $3")
                .execute(Tuple.from(
                        new Object[] {address.unsigned(), clientKey, fromState, toState, ts(until), ts(now), track}))
                .map(rs -> rs.rowCount() == 1);
    }

    /**
     * An operator ends the address's active lease, as its client's release would (RELEASED). Returns the row changed,
     * or empty when the address holds no active lease. Tracked for the partner where the scope is in a failover
     * relationship.
     */
    public Uni<java.util.Optional<Expired>> endByOperator(
            SqlConnection conn, Ipv4 address, Instant now, String[] failoverScopes) {
        return conn.preparedQuery(
                        "WITH held AS (SELECT address, state AS before FROM lease"
                                + " WHERE address = $1 AND state = 'ACTIVE' FOR UPDATE)"
                                + " UPDATE lease l SET state = 'RELEASED', expires_at = NULL, cltt = $2, updated_at = $2,"
                                + " update_seq = CASE WHEN l.scope = ANY($3) THEN " + NEXT_UPDATE
                                + " ELSE l.update_seq END"
                                + " FROM held WHERE l.address = held.address"
                                + " RETURNING l.address, l.scope, held.before, l.client_key, l.hw_address, l.client_id, l.hostname")
                .execute(Tuple.of(address.unsigned(), ts(now), failoverScopes))
                .map(rs -> {
                    for (Row row : rs) {
                        return java.util.Optional.of(expired(row));
                    }
                    return java.util.Optional.<Expired>empty();
                });
    }

    /** The scope an address belongs to here, if the lease table has it. */
    public Uni<java.util.Optional<String>> scopeOf(Ipv4 address) {
        return pool.preparedQuery("SELECT scope FROM lease WHERE address = $1")
                .execute(Tuple.of(address.unsigned()))
                .map(rs -> {
                    for (Row row : rs) {
                        return java.util.Optional.ofNullable(row.getString("scope"));
                    }
                    return java.util.Optional.<String>empty();
                });
    }

    /** Ends offers, leases and probations that ran out; returns the rows changed with their state before. */
    public Uni<List<Expired>> reclaim(SqlConnection conn, Instant now, int limit, String[] failoverScopes) {
        return conn.preparedQuery(
                        "WITH due AS (SELECT address, state AS before FROM lease"
                                + " WHERE state IN ('OFFERED', 'ACTIVE', 'DECLINED') AND expires_at <= $1"
                                + " ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
                                + " UPDATE lease l SET state = CASE WHEN due.before = 'ACTIVE' THEN 'EXPIRED' ELSE 'FREE' END,"
                                + " client_key = CASE WHEN due.before = 'DECLINED' THEN NULL ELSE l.client_key END,"
                                + " expires_at = NULL, updated_at = $1,"
                                + " tsfp = CASE WHEN due.before = 'ACTIVE' THEN l.tsfp END,"
                                + " update_seq = CASE WHEN l.scope = ANY($3) AND due.before <> 'OFFERED'"
                                + " THEN " + NEXT_UPDATE + " ELSE l.update_seq END"
                                + " FROM due WHERE l.address = due.address"
                                + " RETURNING l.address, l.scope, due.before, l.client_key, l.hw_address, l.client_id, l.hostname")
                .execute(Tuple.of(ts(now), limit, failoverScopes))
                .map(rs -> {
                    List<Expired> out = new ArrayList<>();
                    for (Row row : rs) {
                        out.add(expired(row));
                    }
                    return out;
                })
                .flatMap(out -> conn.preparedQuery(
                                "DELETE FROM lease WHERE NOT in_pool AND state IN ('FREE', 'EXPIRED')")
                        .execute()
                        .replaceWith(out));
    }

    /** A row ended by {@link #reclaim} or {@link #endByOperator}, from its RETURNING columns. */
    private static Expired expired(Row row) {
        return new Expired(
                Ipv4.ofUnsigned(row.getLong("address")),
                row.getString("scope"),
                row.getString("before"),
                new Client(
                        row.getString("client_key"),
                        row.getString("hw_address"),
                        row.getString("client_id"),
                        row.getString("hostname")));
    }

    /** Counts per scope for the address metrics. */
    public Uni<List<ScopeCounts>> counts() {
        return pool.query("SELECT scope, count(*) FILTER (WHERE in_pool) AS total,"
                        + " count(*) FILTER (WHERE state = 'ACTIVE') AS assigned,"
                        + " count(*) FILTER (WHERE state = 'OFFERED') AS offered,"
                        + " count(*) FILTER (WHERE state IN ('FREE', 'RELEASED', 'EXPIRED') AND in_pool"
                        + " AND reserved_for IS NULL AND NOT backup) AS free,"
                        + " count(*) FILTER (WHERE state IN ('FREE', 'RELEASED', 'EXPIRED') AND in_pool"
                        + " AND reserved_for IS NULL AND backup) AS backup,"
                        + " count(*) FILTER (WHERE state = 'DECLINED') AS declined,"
                        + " count(*) FILTER (WHERE state = 'ACTIVE' AND update_seq > acked_seq) AS unacked"
                        + " FROM lease GROUP BY scope")
                .execute()
                .map(rs -> {
                    List<ScopeCounts> out = new ArrayList<>();
                    for (Row row : rs) {
                        out.add(new ScopeCounts(
                                row.getString("scope"),
                                row.getLong("total"),
                                row.getLong("assigned"),
                                row.getLong("offered"),
                                row.getLong("free"),
                                row.getLong("backup"),
                                row.getLong("declined"),
                                row.getLong("unacked")));
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

    /** What a decision reads: the client's rows in the scope and the row of the address it names (or null). */
    public record Facts(String scope, String clientKey, Ipv4 subject) {}

    /** Who a lease is for. */
    public record Client(String key, String hardwareAddress, String clientId, String hostname) {}

    /** A row the reclaim changed, with its state before. */
    public record Expired(Ipv4 address, String scope, String before, Client client) {}

    /** Address counts of one scope; see {@code ScopeStatistics} for what each means. */
    public record ScopeCounts(
            String scope,
            long total,
            long assigned,
            long offered,
            long free,
            long backup,
            long declined,
            long unacked) {}
}

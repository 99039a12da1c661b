package dev.tandem.lease.repository;

import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ScopeConfig.AddressRange;
import dev.tandem.protocol.config.ScopeConfig.ReservationConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.net.Ipv4;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** SQL on the lease table. Every write checks, in its WHERE clause, that the row may still take the change. */
@ApplicationScoped
public class LeaseRepository {

    private static final String COLUMNS = "address, state, client_key, expires_at, updated_at, tsfp";

    private final Pool pool;
    /** Per scope, the last address this instance allocated (see {@link #allocate}). */
    private final Map<String, Long> cursors = new ConcurrentHashMap<>();

    private final FreeReadAhead readAhead = new FreeReadAhead();

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
    private static final String TAKING = " tsfp = CASE WHEN state = 'FREE' OR client_key IS DISTINCT FROM $2"
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
     * Takes the next free address of the scope after the last one this instance allocated there (wrapping around at
     * the end of the pool), in a pool the guard allows; else (where it allows reuse) the longest-unused released or
     * expired one; null if none.
     *
     * <p>The cursor is Kea's iterative allocator: starting each search at the lowest free address would walk the index
     * entries of every address allocated since the last vacuum (measured: 1,000 index pages and 0.8 ms per allocation
     * after a few thousand DISCOVERs), while starting after the last allocation finds a live entry at once. The cursor
     * is only a hint: the row is still chosen and locked by the database, so replicas with cursors of their own stay
     * correct.
     *
     * <p>The free addresses after the cursor are read ahead ({@link FreeReadAhead}) and each allocation takes its own
     * by primary key. Allocations of one batch run side by side on its connection, and a search from the shared cursor
     * walked past the rows the batch had just taken (measured: 55 buffer reads and 0.13 ms per allocation at 1500/s).
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
    public Uni<Map<String, Departed>> syncPools(ServerSettings settings, Instant now) {
        return Conflicts.retried(pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(4711)")
                .execute()
                .flatMap(x -> conn.preparedQuery("SELECT revision FROM applied_config WHERE server = $1")
                        .execute(Tuple.of(settings.server())))
                .flatMap(rs -> {
                    if (rs.iterator().hasNext() && rs.iterator().next().getLong("revision") > settings.revision()) {
                        return departed(conn, now); // a newer revision is already applied
                    }
                    Map<String, String> splitFor = new HashMap<>();
                    Set<String> served = new HashSet<>();
                    return conn.query("SELECT scope, relationship FROM pool_split WHERE left_at IS NULL")
                            .execute()
                            .invoke(splits -> splits.forEach(
                                    row -> splitFor.put(row.getString("scope"), row.getString("relationship"))))
                            .flatMap(x -> conn.query("SELECT DISTINCT scope FROM lease WHERE in_pool")
                                    .execute())
                            .invoke(scopes -> scopes.forEach(row -> served.add(row.getString("scope"))))
                            .flatMap(x -> syncScopes(conn, settings, splitFor, served, now))
                            .flatMap(x -> departed(conn, now));
                })));
    }

    /**
     * A scope that left its relationship and is still served here: when it left and the settings of the relationship
     * it left, from which {@link Guard#departed} takes what an allocation may do (see V8__scope_departure.sql).
     */
    public record Departed(boolean secondary, Instant leftAt, Duration mclt, Duration leaseTime) {
        public Instant until() {
            return leftAt.plus(mclt).plus(leaseTime);
        }
    }

    private static final String DEPARTED_UNTIL = "left_at + (mclt_seconds + lease_seconds) * interval '1 second'";

    private Uni<Map<String, Departed>> departed(SqlConnection conn, Instant now) {
        return conn.preparedQuery("SELECT scope, secondary, left_at, mclt_seconds, lease_seconds FROM pool_split"
                        + " WHERE left_at IS NOT NULL AND " + DEPARTED_UNTIL + " > $1")
                .execute(Tuple.of(ts(now)))
                .map(rs -> {
                    Map<String, Departed> out = new HashMap<>();
                    for (Row row : rs) {
                        out.put(
                                row.getString("scope"),
                                new Departed(
                                        row.getBoolean("secondary"),
                                        row.getOffsetDateTime("left_at").toInstant(),
                                        Duration.ofSeconds(row.getLong("mclt_seconds")),
                                        Duration.ofSeconds(row.getLong("lease_seconds"))));
                    }
                    return out;
                });
    }

    private Uni<Void> syncScopes(
            SqlConnection conn,
            ServerSettings settings,
            Map<String, String> splitFor,
            Set<String> served,
            Instant now) {
        List<String> splitScopes = new ArrayList<>();
        List<String> splitRelationships = new ArrayList<>();
        List<Long> splitMclts = new ArrayList<>();
        List<Long> splitLeaseTimes = new ArrayList<>();
        List<Boolean> splitSecondary = new ArrayList<>();
        for (ScopeConfig scope : settings.scopes()) {
            settings.relationshipOf(scope.id()).ifPresent(r -> {
                splitScopes.add(scope.id());
                splitRelationships.add(r.name());
                splitMclts.add(r.mclt().toSeconds());
                splitLeaseTimes.add(scope.leaseTime());
                splitSecondary.add(!r.primary());
            });
        }
        return conn.query(
                        "UPDATE lease SET in_pool = false, reserved_for = NULL WHERE in_pool OR reserved_for IS NOT NULL")
                .execute()
                .flatMap(y -> Multi.createFrom()
                        .iterable(settings.scopes())
                        .onItem()
                        .transformToUniAndConcatenate(scope -> {
                            Optional<RelationshipConfig> relationship = settings.relationshipOf(scope.id());
                            boolean joins = relationship.isPresent()
                                    && !relationship.get().name().equals(splitFor.get(scope.id()));
                            Uni<Void> leftovers = joins && !served.contains(scope.id())
                                    ? discardLeftovers(conn, scope, served, now)
                                    : Uni.createFrom().voidItem();
                            return leftovers.flatMap(x -> syncScope(
                                    conn,
                                    scope,
                                    relationship
                                            .map(RelationshipConfig::secondaryPoolPercent)
                                            .orElse(0),
                                    joins));
                        })
                        .collect()
                        .last())
                .flatMap(y -> conn.query(
                                "DELETE FROM lease WHERE NOT in_pool AND state IN ('FREE', 'RELEASED', 'EXPIRED')")
                        .execute())
                .flatMap(y -> conn.preparedQuery("UPDATE pool_split SET left_at = $2"
                                + " WHERE NOT scope = ANY($1) AND left_at IS NULL RETURNING scope")
                        .execute(Tuple.of(splitScopes.toArray(String[]::new), ts(now)))
                        .invoke(left -> left.forEach(row -> Log.infof(
                                "Scope %s left its failover relationship: for its MCLT and lease time more it is"
                                        + " served as in PARTNER-DOWN (the partner may have leases of it not heard of"
                                        + " here)",
                                row.getString("scope")))))
                .flatMap(y -> conn.preparedQuery(
                                "DELETE FROM pool_split WHERE left_at IS NOT NULL AND " + DEPARTED_UNTIL + " <= $1")
                        .execute(Tuple.of(ts(now))))
                .flatMap(y -> conn.preparedQuery(
                                "INSERT INTO pool_split (scope, relationship, split_at, mclt_seconds, secondary,"
                                        + " lease_seconds) SELECT s, r, $3, m, b, l FROM unnest($1::text[],"
                                        + " $2::text[], $4::bigint[], $5::boolean[], $6::bigint[]) AS t(s, r, m, b, l)"
                                        + " ON CONFLICT (scope) DO UPDATE SET relationship = EXCLUDED.relationship,"
                                        + " mclt_seconds = EXCLUDED.mclt_seconds, secondary = EXCLUDED.secondary,"
                                        + " lease_seconds = EXCLUDED.lease_seconds,"
                                        + " left_at = NULL,"
                                        + " split_at = CASE WHEN pool_split.relationship = EXCLUDED.relationship"
                                        + " AND pool_split.left_at IS NULL THEN pool_split.split_at"
                                        + " ELSE EXCLUDED.split_at END")
                        .execute(Tuple.of(
                                splitScopes.toArray(String[]::new),
                                splitRelationships.toArray(String[]::new),
                                ts(now),
                                splitMclts.toArray(Long[]::new),
                                splitSecondary.toArray(Boolean[]::new),
                                splitLeaseTimes.toArray(Long[]::new))))
                .flatMap(y -> conn.preparedQuery(
                                "INSERT INTO applied_config (server, revision, applied_at)"
                                        + " VALUES ($1, $2, $3) ON CONFLICT (server) DO UPDATE SET revision = $2, applied_at = $3")
                        .execute(Tuple.of(settings.server(), settings.revision(), ts(now))))
                .replaceWithVoid();
    }

    /**
     * Pool rows of one scope. In a failover relationship the free addresses are split between the servers: the
     * secondary's share ({@code backupPercent}) is spread evenly through the pool as BACKUP, the same on both servers.
     * When the scope joins a relationship ({@code joins}: table {@code pool_split} has it in none or in another) its
     * never-changed rows take the split too. Within a relationship a row keeps its owner, across restarts too: each
     * server applies a changed share at its own moment, so re-splitting then would let the two disagree on who owns an
     * address; balancing passes move addresses to the new shares, as binding updates both apply.
     */
    /**
     * A scope that joins a relationship on a server that did not serve it until now: the bindings of its addresses
     * left from an earlier time they were served here (a scope taken out of the relationship stays on one server and
     * leaves the other, whose bindings then run on until they expire) are stale. The partner served the scope
     * meanwhile, and its full update, which a joining scope waits for, brings the current bindings; a stale one renewed
     * meanwhile would bind an address the partner has given to another client. They become free, unchanged for the
     * partner (nothing of them is sent), and take the split of the joining scope like every free address on both
     * servers. Kept: rows of a scope served here until now (a scope whose subnet changed), and running leases the partner
     * never acknowledged (it cannot send them back; the partner kept them from other clients as a scope that left, and
     * the acceptance matrix settles them).
     */
    private Uni<Void> discardLeftovers(SqlConnection conn, ScopeConfig scope, Set<String> served, Instant now) {
        return Multi.createFrom()
                .iterable(scope.pool())
                .onItem()
                .transformToUniAndConcatenate(range -> conn.preparedQuery("WITH stale AS (SELECT address, state"
                                + " FROM lease WHERE address BETWEEN $1 AND $2 AND NOT scope = ANY($3)"
                                + " AND state <> 'FREE'"
                                + " AND NOT (state = 'ACTIVE' AND update_seq > acked_seq AND expires_at > $4)"
                                + " FOR UPDATE)"
                                + " UPDATE lease l SET state = 'FREE', client_key = NULL, hw_address = NULL,"
                                + " client_id = NULL, hostname = NULL, expires_at = NULL, cltt = NULL, tstp = NULL,"
                                + " tsfp = NULL, published_seq = l.update_seq, acked_seq = l.update_seq,"
                                + " updated_at = $4 FROM stale WHERE l.address = stale.address RETURNING stale.state")
                        .execute(Tuple.of(
                                range.first().unsigned(),
                                range.last().unsigned(),
                                served.toArray(String[]::new),
                                ts(now))))
                .collect()
                .asList()
                .invoke(results -> {
                    long rows = 0;
                    for (RowSet<Row> rs : results) {
                        rows += rs.rowCount();
                    }
                    if (rows > 0) {
                        Log.infof(
                                "Scope %s joins a relationship here after a time it was not served here: %d binding(s)"
                                        + " left from before forgotten; the partner's full update brings the current"
                                        + " ones",
                                scope.id(), rows);
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Void> syncScope(SqlConnection conn, ScopeConfig scope, int backupPercent, boolean joins) {
        List<Uni<RowSet<Row>>> steps = new ArrayList<>();
        long base = 0;
        for (AddressRange range : scope.pool()) {
            steps.add(conn.preparedQuery("INSERT INTO lease (address, scope, state, in_pool, backup)"
                            + " SELECT a, $1, 'FREE', true, ((a - $2 + $4 + 1) * $5 / 100) > ((a - $2 + $4) * $5 / 100)"
                            + " FROM generate_series($2::bigint, $3::bigint) a"
                            + " ON CONFLICT (address) DO UPDATE SET in_pool = true, scope = $1,"
                            + " backup = CASE WHEN $6 AND lease.state = 'FREE'"
                            + " THEN EXCLUDED.backup ELSE lease.backup END")
                    .execute(Tuple.of(
                            scope.id(),
                            range.first().unsigned(),
                            range.last().unsigned(),
                            base,
                            (long) backupPercent,
                            joins)));
            base += range.size();
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

    /**
     * What failover allows an allocation to take (draft-ietf-dhc-failover-12 §5.2.2); {@link #STANDALONE} outside a
     * relationship.
     *
     * @param backupPool only free addresses of this owner (true: BACKUP, false: FREE); null: any
     * @param others whether the address may go to a client that does not hold it
     * @param onlyFree another client gets only FREE addresses (a released or expired one only after the partner acked)
     * @param reuseBefore PARTNER-DOWN: a released or expired address goes to another client only when its expiry and
     *     both potential expirations are before this (now - MCLT); null: no such rule
     * @param track whether changes get an update number for the partner
     * @param awaitAck a client takes back its own released or expired address only once the partner acknowledged that
     *     (so does every tracking guard)
     */
    public record Guard(
            Boolean backupPool,
            boolean others,
            boolean onlyFree,
            Instant reuseBefore,
            boolean track,
            boolean awaitAck) {
        public static final Guard STANDALONE = new Guard(null, true, false, null, false, false);

        /** Under failover: changes go to the partner, and a released or expired address waits for its ack. */
        public static Guard failover(Boolean backupPool, boolean others, boolean onlyFree, Instant reuseBefore) {
            return new Guard(backupPool, others, onlyFree, reuseBefore, true, true);
        }

        /**
         * A scope that left its relationship (see V8__scope_departure.sql): within MCLT after, as PARTNER-DOWN before
         * MCLT has passed (its own free addresses, no released or expired one to another client); then until the
         * scope's lease time more has passed, as PARTNER-DOWN after MCLT; nothing for a partner, but what the partner
         * had not acknowledged still waits; then standalone.
         */
        public static Guard departed(Departed d, Instant now) {
            if (now.isBefore(d.leftAt().plus(d.mclt()))) {
                return new Guard(d.secondary(), true, true, null, false, true);
            }
            if (now.isBefore(d.until())) {
                return new Guard(null, true, false, now.minus(d.mclt()), false, true);
            }
            return STANDALONE;
        }
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

package dev.tandem.lease.repository;

import static dev.tandem.lease.repository.LeaseRepository.ts;

import dev.tandem.lease.domain.Departed;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ScopeConfig.AddressRange;
import dev.tandem.protocol.config.ScopeConfig.ReservationConfig;
import dev.tandem.protocol.config.ServerSettings;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lease table made to match a configuration: a row per pool address and reservation, the failover split of free
 * addresses, and the scopes that join or leave a relationship ({@code pool_split}).
 */
@ApplicationScoped
public class PoolSync {

    private final Pool pool;

    public PoolSync(Pool pool) {
        this.pool = pool;
    }

    /**
     * Makes the lease table match the configuration: every pool address and reservation has a row; rows of addresses
     * that left the pools are deleted once nothing is bound to them. Serialised across replicas by an advisory lock.
     */
    public Uni<Map<String, Departed>> syncPools(ServerSettings settings, Instant now) {
        return Conflicts.retried(pool.withTransaction(conn -> conn.query(AdvisoryLocks.take(AdvisoryLocks.POOL_SYNC))
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
}

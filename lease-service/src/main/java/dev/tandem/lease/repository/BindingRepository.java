package dev.tandem.lease.repository;

import static dev.tandem.lease.repository.LeaseRepository.ts;

import dev.tandem.lease.domain.BindingUpdatePolicy;
import dev.tandem.lease.domain.LeaseState;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.net.Ipv4;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongBiFunction;

/**
 * SQL of failover on the lease table: publishing this server's binding changes to the partner, recording the
 * partner's acknowledgements, and applying the partner's binding updates.
 */
@ApplicationScoped
public class BindingRepository {

    private final Pool pool;

    public BindingRepository(Pool pool) {
        this.pool = pool;
    }

    /** A changed row to send: its binding as the partner should see it and its update number. */
    public record Changed(String scope, Binding binding, long sequence) {}

    /**
     * Locks up to {@code limit} rows with unpublished changes in update order, hands them to {@code publish} and marks
     * them published once it completes; a failure rolls back and they are tried again. Offers are not bindings and
     * wait. Returns how many rows were handled.
     */
    public Uni<Integer> drain(int limit, Function<List<Changed>, Uni<Void>> publish) {
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT address, scope, state, client_key, hw_address,"
                        + " client_id, expires_at, tstp, cltt, updated_at, backup, update_seq FROM lease"
                        + " WHERE update_seq > published_seq AND state <> 'OFFERED'"
                        + " ORDER BY update_seq LIMIT $1 FOR UPDATE SKIP LOCKED")
                .execute(Tuple.of(limit))
                .flatMap(rs -> {
                    List<Changed> changed = new ArrayList<>();
                    for (Row row : rs) {
                        changed.add(new Changed(row.getString("scope"), binding(row), row.getLong("update_seq")));
                    }
                    if (changed.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    Long[] addresses = changed.stream()
                            .map(c -> c.binding().address().unsigned())
                            .toArray(Long[]::new);
                    return publish.apply(changed)
                            .flatMap(x -> conn.preparedQuery(
                                            "UPDATE lease SET published_seq = update_seq WHERE address = ANY($1)")
                                    .execute(Tuple.of(addresses)))
                            .replaceWith(changed.size());
                }));
    }

    /** One acknowledgement of the partner: update {@code sequence} of the address (draft §7.2). */
    public record Ack(Ipv4 address, long sequence, Instant potential, boolean accepted) {}

    /**
     * Records a batch of the partner's acknowledgements in one statement (one commit, however many). An EXPIRED or
     * RELEASED binding the partner acknowledged becomes FREE on both servers (§5.11), and FREE is the primary's, as ISC
     * dhcpd has it too: a secondary's address comes back to it by pool balancing.
     */
    public Uni<Void> acknowledge(List<Ack> acks, Instant now) {
        if (acks.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Long[] addresses = new Long[acks.size()];
        Long[] sequences = new Long[acks.size()];
        OffsetDateTime[] potentials = new OffsetDateTime[acks.size()];
        Boolean[] accepted = new Boolean[acks.size()];
        for (int i = 0; i < acks.size(); i++) {
            Ack a = acks.get(i);
            addresses[i] = a.address().unsigned();
            sequences[i] = a.sequence();
            potentials[i] = ts(a.potential());
            accepted[i] = a.accepted();
        }
        String freed = "CASE WHEN a.ok AND l.update_seq = a.seq AND l.state IN ('RELEASED', 'EXPIRED')";
        // The acknowledged potential expiration counts only for the binding the row still holds (§5.2.1): a late ack
        // of an earlier update may be of another client's binding; a freed address has none left.
        return Conflicts.retried(pool.preparedQuery("UPDATE lease l SET acked_seq = greatest(l.acked_seq, a.seq),"
                                + " tsfp = " + freed + " THEN NULL"
                                + " WHEN a.ok AND l.update_seq = a.seq THEN greatest(l.tsfp, a.potential)"
                                + " ELSE l.tsfp END,"
                                + " state = " + freed + " THEN 'FREE' ELSE l.state END,"
                                + " backup = " + freed + " THEN false ELSE l.backup END,"
                                + " updated_at = " + freed + " THEN $5 ELSE l.updated_at END"
                                + " FROM (SELECT DISTINCT ON (address) * FROM unnest($1::bigint[], $2::bigint[],"
                                + " $3::timestamptz[], $4::boolean[]) AS t(address, seq, potential, ok)"
                                + " ORDER BY address, seq DESC) a"
                                + " WHERE l.address = a.address AND l.acked_seq < a.seq")
                        .execute(Tuple.of(addresses, sequences, potentials, accepted, ts(now))))
                .replaceWithVoid();
    }

    /**
     * Marks the rows of the scopes to be published again. For update-request-all: every binding, free pool addresses
     * included, so that a partner starting from nothing learns which free addresses are its own (BACKUP) and which the
     * primary's (FREE), as ISC dhcpd needs (§7.7; ISC's secondary has no backup pool until told). Each takes a new
     * update number, so it is unacknowledged until the partner, which asked because it knows nothing, acknowledges it
     * (an update lost or left unanswered is sent again like any other). Otherwise: those the partner has not
     * acknowledged, numbered up to {@code upTo} when given. Returns how many.
     */
    public Uni<Integer> resend(String[] scopes, boolean all, Long upTo) {
        Tuple args = Tuple.of((Object) scopes);
        String sql;
        if (all) {
            // rows locked in address order, as allocations lock them, so the two never deadlock
            sql = "UPDATE lease l SET update_seq = nextval('binding_update_seq') FROM (SELECT address FROM lease"
                    + " WHERE scope = ANY($1) AND (update_seq > 0 OR state <> 'FREE' OR (in_pool AND reserved_for IS"
                    + " NULL)) ORDER BY address FOR UPDATE) r WHERE l.address = r.address";
        } else {
            // An offer waits (it is not a binding): its row goes once the offer ends.
            sql = "UPDATE lease SET published_seq = acked_seq WHERE scope = ANY($1) AND update_seq > acked_seq"
                    + " AND state <> 'OFFERED' AND ($2::bigint IS NULL OR update_seq <= $2)";
            args.addLong(upTo);
        }
        return Conflicts.retried(pool.preparedQuery(sql).execute(args)).map(rs -> rs.rowCount());
    }

    /** A scope's free addresses by owner before a balancing pass, and how many the pass gave the partner. */
    public record Balanced(String scope, long free, long backup, int given) {}

    /**
     * One pool-balancing pass over the scopes, in one transaction that an advisory lock serializes with every other
     * pass (of this replica or another), so two passes never give the same surplus twice. {@code toGive} says, from a
     * scope's free (the primary's) and backup (the secondary's) counts, how many of this server's own free addresses
     * ({@code ownBackup}: BACKUP, else FREE) go to the partner. Those become the partner's, each with a new update
     * number so it goes out as a binding update. The highest addresses go, since allocation takes the lowest; reserved
     * ones and rows the partner has not acknowledged yet stay.
     */
    public Uni<List<Balanced>> balance(
            String[] scopes, boolean ownBackup, ToLongBiFunction<Long, Long> toGive, Instant now) {
        return Conflicts.retried(pool.withTransaction(conn -> conn.query(AdvisoryLocks.take(AdvisoryLocks.BALANCE))
                .execute()
                .flatMap(x -> conn.preparedQuery("SELECT scope, count(*) FILTER (WHERE NOT backup) AS free,"
                                + " count(*) FILTER (WHERE backup) AS backup FROM lease WHERE scope = ANY($1)"
                                + " AND state = 'FREE' AND in_pool AND reserved_for IS NULL GROUP BY scope")
                        .execute(Tuple.of((Object) scopes)))
                .flatMap(rs -> {
                    List<Uni<Balanced>> passes = new ArrayList<>();
                    for (Row row : rs) {
                        String scope = row.getString("scope");
                        long free = row.getLong("free");
                        long backup = row.getLong("backup");
                        long n = toGive.applyAsLong(free, backup);
                        passes.add(
                                n == 0
                                        ? Uni.createFrom().item(new Balanced(scope, free, backup, 0))
                                        : give(conn, scope, ownBackup, n, now)
                                                .map(given -> new Balanced(scope, free, backup, given)));
                    }
                    return passes.isEmpty()
                            ? Uni.createFrom().item(List.<Balanced>of())
                            : Uni.join().all(passes).andFailFast();
                })));
    }

    private static Uni<Integer> give(SqlConnection conn, String scope, boolean ownBackup, long n, Instant now) {
        return conn.preparedQuery("UPDATE lease l SET backup = NOT $2, update_seq = nextval('binding_update_seq'),"
                        + " updated_at = $4 FROM (SELECT address FROM lease WHERE scope = $1 AND state = 'FREE'"
                        + " AND in_pool AND reserved_for IS NULL AND backup = $2 AND update_seq = acked_seq"
                        + " ORDER BY address DESC LIMIT $3 FOR UPDATE SKIP LOCKED) p WHERE l.address = p.address")
                .execute(Tuple.of(scope, ownBackup, n, ts(now)))
                .map(rs -> rs.rowCount());
    }

    /** The highest update number handed out so far (by committed transactions or ones still running). */
    public Uni<Long> lastUpdateNumber() {
        return pool.query("SELECT last_value FROM binding_update_seq")
                .execute()
                .map(rs -> rs.iterator().next().getLong("last_value"));
    }

    /** Whether rows of the scopes numbered up to {@code bound} still wait to be published. */
    public Uni<Boolean> unpublished(String[] scopes, long bound) {
        return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM lease WHERE scope = ANY($1)"
                        + " AND update_seq > published_seq AND update_seq <= $2 AND state <> 'OFFERED') AS pending")
                .execute(Tuple.of((Object) scopes, bound))
                .map(rs -> rs.iterator().next().getBoolean("pending"));
    }

    /** Rows of the scopes the partner has not acknowledged. */
    public Uni<Long> unacknowledged(String[] scopes) {
        return pool.preparedQuery("SELECT count(*) AS n FROM lease WHERE scope = ANY($1) AND update_seq > acked_seq")
                .execute(Tuple.of((Object) scopes))
                .map(rs -> rs.iterator().next().getLong("n"));
    }

    /** This server's row of an address for the acceptance matrix, locked; empty if the address is not ours. */
    public Uni<Optional<Local>> lock(SqlConnection conn, Ipv4 address) {
        return conn.preparedQuery("SELECT scope, state, client_key, expires_at, cltt, updated_at, in_pool FROM lease"
                        + " WHERE address = $1 FOR UPDATE")
                .execute(Tuple.of(address.unsigned()))
                .map(rs -> {
                    if (!rs.iterator().hasNext()) {
                        return Optional.empty();
                    }
                    Row row = rs.iterator().next();
                    return Optional.of(new Local(
                            row.getString("scope"),
                            row.getBoolean("in_pool"),
                            new BindingUpdatePolicy.Local(
                                    LeaseState.valueOf(row.getString("state")),
                                    row.getString("client_key"),
                                    instant(row, "expires_at"),
                                    instant(row, "cltt"),
                                    instant(row, "updated_at"))));
                });
    }

    /** Another row a client holds in a scope: its address and state (OFFERED or ACTIVE). */
    public record Held(Ipv4 address, LeaseState state) {}

    /** The client's offered or bound row in the scope other than the address, locked; empty if none. */
    public Uni<Optional<Held>> otherHeld(SqlConnection conn, String scope, String clientKey, Ipv4 address) {
        return conn.preparedQuery("SELECT address, state FROM lease WHERE scope = $1 AND client_key = $2"
                        + " AND state IN ('OFFERED', 'ACTIVE') AND address <> $3 ORDER BY state DESC FOR UPDATE")
                .execute(Tuple.of(scope, clientKey, address.unsigned()))
                .map(rs -> {
                    if (!rs.iterator().hasNext()) {
                        return Optional.empty();
                    }
                    Row row = rs.iterator().next();
                    return Optional.of(new Held(
                            Ipv4.ofUnsigned(row.getLong("address")), LeaseState.valueOf(row.getString("state"))));
                });
    }

    /** Drops an offer (no binding: nothing goes to the partner); the address is free again for its owner. */
    public Uni<Void> dropOffer(SqlConnection conn, Ipv4 address, Instant now) {
        return conn.preparedQuery("UPDATE lease SET state = 'FREE', expires_at = NULL, tsfp = NULL, updated_at = $2"
                        + " WHERE address = $1 AND state = 'OFFERED'")
                .execute(Tuple.of(address.unsigned(), ts(now)))
                .replaceWithVoid();
    }

    /** An address's scope, whether it is in a pool, and its binding. */
    public record Local(String scope, boolean inPool, BindingUpdatePolicy.Local binding) {}

    /** A partner update applied: the row's new state and update number. */
    public record Applied(LeaseState state, long sequence) {}

    /**
     * Applies an accepted partner update. The row takes a new update number that counts as published and acknowledged:
     * it came from the partner and goes back to no one, unless {@code sendBack}: then it stays unacknowledged, and the
     * coordinator sends it to the partner as ours (and again, like any unacknowledged row, until the partner has it).
     * Returns the new local state and that number.
     */
    public Uni<Applied> apply(
            SqlConnection conn, Binding b, String clientKey, Instant declineUntil, Instant now, boolean sendBack) {
        LeaseState state;
        Boolean backup = null;
        Instant expires = null;
        switch (b.status()) {
            case ACTIVE -> {
                state = LeaseState.ACTIVE;
                expires = b.leaseExpiration() > 0 ? Instant.ofEpochSecond(b.leaseExpiration()) : now;
            }
            case ABANDONED -> {
                state = LeaseState.DECLINED;
                Instant ends = Instant.ofEpochSecond(b.leaseExpiration());
                expires = ends.isAfter(now) ? ends : declineUntil;
            }
            case FREE -> {
                state = LeaseState.FREE;
                backup = false;
            }
            case BACKUP -> {
                state = LeaseState.FREE;
                backup = true;
            }
            default -> { // EXPIRED, RELEASED, RESET: FREE once acked (§5.11), the primary's as in ISC dhcpd
                state = LeaseState.FREE;
                backup = false;
            }
        }
        HexFormat hex = HexFormat.of();
        byte[] hw = b.hardwareAddress();
        String mac = hw == null || hw.length < 2 ? null : hex.formatHex(hw, 1, hw.length);
        Instant cltt = b.cltt() > 0 ? Instant.ofEpochSecond(b.cltt()) : null;
        Instant potential = b.potentialExpiration() > 0 ? Instant.ofEpochSecond(b.potentialExpiration()) : null;
        boolean keepClient = clientKey == null && state == LeaseState.FREE;
        return conn.preparedQuery("WITH n AS (SELECT nextval('binding_update_seq') AS v)"
                        + " UPDATE lease SET state = $2,"
                        + " client_key = CASE WHEN $9 THEN client_key ELSE $3 END,"
                        + " hw_address = CASE WHEN $9 THEN hw_address ELSE $4 END,"
                        + " client_id = CASE WHEN $9 THEN client_id ELSE $5 END,"
                        // the same client's lease known here to run longer keeps its end: when both servers bound
                        // the client (a pause, a partition), their updates cross, and each taking the other's would
                        // leave the two tables swapped; the later end on both is what the client may still hold
                        + " expires_at = CASE WHEN $2 = 'ACTIVE' AND state = 'ACTIVE' AND client_key IS NOT DISTINCT"
                        + " FROM $3 AND expires_at > $6 THEN expires_at ELSE $6 END,"
                        + " cltt = CASE WHEN $2 = 'ACTIVE' AND state = 'ACTIVE' AND client_key IS NOT DISTINCT FROM $3"
                        + " THEN greatest(cltt, $7) ELSE coalesce($7, cltt) END,"
                        // the potential expiration belongs to the binding it came with (§5.2.1)
                        + " tsfp = CASE WHEN $2 <> 'ACTIVE' THEN NULL WHEN client_key IS NOT DISTINCT FROM $3"
                        + " THEN coalesce($8, tsfp) ELSE $8 END,"
                        + " backup = coalesce($10, backup), updated_at = $11,"
                        + " update_seq = n.v, published_seq = n.v,"
                        + " acked_seq = CASE WHEN $12 THEN least(acked_seq, n.v - 1) ELSE n.v END"
                        + " FROM n WHERE address = $1 RETURNING update_seq")
                .execute(Tuple.from(new Object[] {
                    b.address().unsigned(),
                    state.name(),
                    state == LeaseState.DECLINED ? null : clientKey,
                    mac,
                    b.clientId() == null ? null : hex.formatHex(b.clientId()),
                    ts(expires),
                    ts(cltt),
                    ts(potential),
                    keepClient,
                    backup,
                    ts(now),
                    sendBack
                }))
                .map(rows -> new Applied(state, rows.iterator().next().getLong("update_seq")));
    }

    private static Binding binding(Row row) {
        LeaseState state = LeaseState.valueOf(row.getString("state"));
        boolean backup = row.getBoolean("backup");
        BindingStatus status =
                switch (state) {
                    case ACTIVE -> BindingStatus.ACTIVE;
                    case EXPIRED -> BindingStatus.EXPIRED;
                    case RELEASED -> BindingStatus.RELEASED;
                    case DECLINED -> BindingStatus.ABANDONED;
                    case FREE, OFFERED -> backup ? BindingStatus.BACKUP : BindingStatus.FREE;
                };
        boolean client =
                status == BindingStatus.ACTIVE || status == BindingStatus.EXPIRED || status == BindingStatus.RELEASED;
        return new Binding(
                Ipv4.ofUnsigned(row.getLong("address")),
                status,
                client ? clientId(row.getString("client_key")) : null,
                client ? hardware(row.getString("client_key"), row.getString("hw_address")) : null,
                status == BindingStatus.ABANDONED || client ? seconds(instant(row, "expires_at")) : 0,
                seconds(instant(row, "tstp")),
                seconds(instant(row, "updated_at")),
                seconds(instant(row, "cltt")),
                0);
    }

    /** Option 61 data from a client key {@code id:<hex>}. */
    static byte[] clientId(String clientKey) {
        return clientKey != null && clientKey.startsWith("id:")
                ? HexFormat.of().parseHex(clientKey.substring(3))
                : null;
    }

    /** htype then chaddr (failover option 5): the type from a key {@code hw:<htype>:<hex>}, else Ethernet. */
    static byte[] hardware(String clientKey, String hwHex) {
        int htype = 1;
        String mac = hwHex;
        if (clientKey != null && clientKey.startsWith("hw:")) {
            String[] parts = clientKey.split(":", 3);
            htype = Integer.parseInt(parts[1]);
            mac = parts[2];
        }
        if (mac == null) {
            return null;
        }
        byte[] bytes = HexFormat.of().parseHex(mac);
        byte[] out = new byte[bytes.length + 1];
        out[0] = (byte) htype;
        System.arraycopy(bytes, 0, out, 1, bytes.length);
        return out;
    }

    private static long seconds(Instant t) {
        return t == null ? 0 : Math.max(0, t.getEpochSecond());
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}

package dev.tandem.lease.repository;

import dev.tandem.lease.domain.DnsPlan.Holder;
import dev.tandem.lease.domain.DnsPlan.Registration;
import dev.tandem.lease.domain.DnsPlan.Stored;
import dev.tandem.lease.domain.DnsPlan.Target;
import dev.tandem.protocol.net.Ipv4;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/** The DNS names this server registered ({@code dns_name}) and the current holder of an address. */
@ApplicationScoped
public class DnsNameRepository {

    private final Pool pool;

    public DnsNameRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<Stored>> find(Ipv4 address) {
        return pool.preparedQuery(
                        "SELECT client_key, fqdn, forward, forward_zone, reverse_zone, server, port, key_name,"
                                + " registered_at FROM dns_name WHERE address = $1")
                .execute(Tuple.of(address.unsigned()))
                .map(rows -> first(rows)
                        .map(row -> new Stored(
                                new Registration(
                                        address,
                                        row.getString("client_key"),
                                        row.getString("fqdn"),
                                        row.getBoolean("forward"),
                                        new Target(
                                                row.getString("forward_zone"),
                                                row.getString("reverse_zone"),
                                                Ipv4.parse(row.getString("server")),
                                                row.getInteger("port"),
                                                row.getString("key_name"))),
                                row.getOffsetDateTime("registered_at").toInstant())));
    }

    public Uni<Void> save(Registration r, Instant at) {
        Target t = r.target();
        return pool.preparedQuery(
                        "INSERT INTO dns_name (address, client_key, fqdn, forward, forward_zone, reverse_zone,"
                                + " server, port, key_name, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                                + " ON CONFLICT (address) DO UPDATE SET client_key = $2, fqdn = $3, forward = $4,"
                                + " forward_zone = $5, reverse_zone = $6, server = $7, port = $8, key_name = $9,"
                                + " registered_at = $10")
                .execute(Tuple.from(new Object[] {
                    r.address().unsigned(),
                    r.clientKey(),
                    r.fqdn(),
                    r.forward(),
                    t.forwardZone(),
                    t.reverseZone(),
                    t.server().toString(),
                    t.port(),
                    t.key(),
                    OffsetDateTime.ofInstant(at, ZoneOffset.UTC)
                }))
                .replaceWithVoid();
    }

    public Uni<Void> delete(Ipv4 address) {
        return pool.preparedQuery("DELETE FROM dns_name WHERE address = $1")
                .execute(Tuple.of(address.unsigned()))
                .replaceWithVoid();
    }

    /** Who holds the address now in this server's table (a lease event may be older than the row). */
    public Uni<Optional<Holder>> holder(Ipv4 address) {
        return pool.preparedQuery("SELECT state, client_key FROM lease WHERE address = $1")
                .execute(Tuple.of(address.unsigned()))
                .map(rows -> first(rows).map(row -> new Holder(row.getString("state"), row.getString("client_key"))));
    }

    private static Optional<Row> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }
}

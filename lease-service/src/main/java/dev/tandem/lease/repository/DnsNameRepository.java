package dev.tandem.lease.repository;

import dev.tandem.lease.domain.DnsPlan.Holder;
import dev.tandem.lease.domain.DnsPlan.Registration;
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

    public Uni<Optional<Registration>> find(Ipv4 address) {
        return pool.preparedQuery("SELECT client_key, fqdn, forward, reverse FROM dns_name WHERE address = $1")
                .execute(Tuple.of(address.unsigned()))
                .map(rows -> first(rows)
                        .map(row -> new Registration(
                                address,
                                row.getString("client_key"),
                                row.getString("fqdn"),
                                row.getBoolean("forward"),
                                row.getBoolean("reverse"))));
    }

    public Uni<Void> save(Registration r, Instant at) {
        return pool.preparedQuery("INSERT INTO dns_name (address, client_key, fqdn, forward, reverse, registered_at)"
                        + " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (address) DO UPDATE SET"
                        + " client_key = $2, fqdn = $3, forward = $4, reverse = $5, registered_at = $6")
                .execute(Tuple.from(new Object[] {
                    r.address().unsigned(),
                    r.clientKey(),
                    r.fqdn(),
                    r.forward(),
                    r.reverse(),
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

package dev.tandem.lease.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

/** The identity of this lease database and its latest binding update number. */
@ApplicationScoped
public class LeaseStoreRepository {

    private final Pool pool;

    public LeaseStoreRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * @param id made once with the schema (migration V4)
     * @param sequence the last binding update number handed out; every update this database ever published has one
     *     no higher, so a copy restored from before some of them reports less than the coordinator saw
     */
    public record Identity(String id, long sequence) {}

    public Uni<Identity> identity() {
        return pool.query("SELECT s.id::text AS id,"
                        + " (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM binding_update_seq) AS seq"
                        + " FROM lease_store s")
                .execute()
                .map(rs -> {
                    var row = rs.iterator().next();
                    return new Identity(row.getString("id"), row.getLong("seq"));
                });
    }
}

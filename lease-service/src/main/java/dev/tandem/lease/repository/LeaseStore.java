package dev.tandem.lease.repository;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;

/**
 * The identity of this lease database (table {@code store}, made once by the migration). The coordinator keeps the
 * identity it last saw with its failover state; a replaced database is recognised by a different one.
 */
@ApplicationScoped
public class LeaseStore {

    private final Pool pool;
    private volatile String id;

    public LeaseStore(Pool pool) {
        this.pool = pool;
    }

    void load(@Observes StartupEvent event) {
        pool.query("SELECT id::text AS id FROM store LIMIT 1")
                .execute()
                .onFailure()
                .retry()
                .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .indefinitely()
                .subscribe()
                .with(rs -> {
                    id = rs.iterator().next().getString("id");
                    Log.infof("Lease database %s", id);
                });
    }

    /** Empty until read at start. */
    public Optional<String> id() {
        return Optional.ofNullable(id);
    }
}

package dev.tandem.lease.service;

import dev.tandem.lease.repository.LeaseStoreRepository;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The identity of the lease database this lease-service runs on, read once it is reachable. Failover scopes are served
 * only on a failover state recorded with this identity (or none): see {@link FailoverView}.
 */
@ApplicationScoped
public class LeaseStore {

    private final LeaseStoreRepository repository;
    private final AtomicReference<String> id = new AtomicReference<>();

    public LeaseStore(LeaseStoreRepository repository) {
        this.repository = repository;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            load().await().atMost(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            Log.warnf("Could not read the lease database's identity yet (%s); trying again", e.getMessage());
        }
    }

    @Scheduled(every = "5s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> retry() {
        return id.get() != null
                ? Uni.createFrom().voidItem()
                : load().replaceWithVoid().onFailure().recoverWithNull();
    }

    private Uni<LeaseStoreRepository.Identity> load() {
        return repository.identity().invoke(i -> {
            if (id.compareAndSet(null, i.id())) {
                Log.infof("Lease database %s (latest binding update %d)", i.id(), i.sequence());
            }
        });
    }

    /** The identity; empty until the database has answered once. */
    public Optional<String> id() {
        return Optional.ofNullable(id.get());
    }

    /** The identity with the current update number, read now. */
    public Uni<LeaseStoreRepository.Identity> identity() {
        return load();
    }
}

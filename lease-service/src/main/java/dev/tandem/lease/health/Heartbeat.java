package dev.tandem.lease.health;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.messaging.LeaseRequestConsumer;
import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.service.ConfigHolder;
import dev.tandem.lease.service.FailoverView;
import dev.tandem.protocol.bus.ServiceHealth;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * This instance's heartbeat to its coordinator ({@link ServiceHealth}), every 500 ms: ready when a configuration is in
 * force, a commit to PostgreSQL succeeds within a second, and Kafka has assigned it lease requests to take (its
 * consumer answers within a second too: a consumer blocked across a Kafka restart must not stop the heartbeat). Each
 * heartbeat also says when the newest failover state it holds was published, so the coordinator sees a state consumer
 * that lags while everything else works. Silence
 * (the process dead or stopped, Kafka gone) says as much as "not ready": either way the coordinator hands this
 * server's share to the partner. The same judgement is this service's readiness.
 */
@ApplicationScoped
public class Heartbeat {

    public static final String CHANNEL = "service-health";
    static final Duration INTERVAL = Duration.ofMillis(500);
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(1);

    private final ConfigHolder config;
    private final FailoverView failover;
    private final LeaseRepository leases;
    private final KafkaClientService kafka;
    private final MutinyEmitter<ServiceHealth> emitter;
    private final Clock clock;
    private final Vertx vertx;
    private final String server;
    private final String instance;
    private final AtomicBoolean beating = new AtomicBoolean();
    private volatile String problem = "starting";

    public Heartbeat(
            ConfigHolder config,
            FailoverView failover,
            LeaseRepository leases,
            KafkaClientService kafka,
            @Channel(CHANNEL) MutinyEmitter<ServiceHealth> emitter,
            Clock clock,
            Vertx vertx,
            LeaseServiceConfig settings) {
        this.config = config;
        this.failover = failover;
        this.leases = leases;
        this.kafka = kafka;
        this.emitter = emitter;
        this.clock = clock;
        this.vertx = vertx;
        this.server = settings.server();
        this.instance = ServiceHealth.hostName() + "/" + ProcessHandle.current().pid();
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(INTERVAL.toMillis(), id -> beat());
    }

    /** Why this instance cannot serve, as of the last heartbeat (null when it can). */
    public String problem() {
        return problem;
    }

    private void beat() {
        if (!beating.compareAndSet(false, true)) {
            return; // the previous check still runs: it counts as silence once it takes longer than the timeout
        }
        // every path ends the check within its timeouts; the flag is cleared however it ends
        check().onTermination().invoke(() -> beating.set(false)).subscribe().with(p -> {
            if (p != null && !p.equals(problem)) {
                Log.warnf("This lease-service cannot serve: %s", p);
            } else if (p == null && problem != null && !"starting".equals(problem)) {
                Log.infof("This lease-service can serve again");
            }
            problem = p;
            ServiceHealth beat = ServiceHealth.of(server, ServiceHealth.LEASE_SERVICE, instance, p, clock.instant())
                    .withStateAt(failover.statuses().newest().orElse(null));
            emitter.sendMessage(Message.of(beat)
                            .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                    .withKey(beat.key())
                                    .build()))
                    .subscribe()
                    .with(x -> {}, e -> Log.debugf("Heartbeat not sent: %s", e));
        });
    }

    private Uni<String> check() {
        if (config.current().isEmpty()) {
            return Uni.createFrom().item("no configuration received yet");
        }
        // both at once, each within its second: the heartbeat goes out well inside the coordinator's 1.5 s
        Uni<String> commit = leases.pool()
                .preparedQuery("INSERT INTO service_heartbeat (instance, beat_at) VALUES ($1, now())"
                        + " ON CONFLICT (instance) DO UPDATE SET beat_at = excluded.beat_at")
                .execute(Tuple.of(instance))
                .ifNoItem()
                .after(COMMIT_TIMEOUT)
                .fail()
                .map(x -> (String) null)
                .onFailure()
                .recoverWithItem(e -> "cannot commit to PostgreSQL: " + e);
        return Uni.combine()
                .all()
                .unis(commit, assigned())
                .with((committed, assigned) -> committed != null ? committed : assigned);
    }

    private Uni<String> assigned() {
        var consumer = kafka.getConsumer(LeaseRequestConsumer.REQUESTS);
        if (consumer == null) {
            return Uni.createFrom().item("not taking lease requests yet");
        }
        return consumer.getAssignments()
                .ifNoItem()
                .after(COMMIT_TIMEOUT)
                .fail()
                .map(partitions -> partitions.isEmpty()
                        ? "no lease-request partitions assigned to this instance (Kafka consumer group)"
                        : null)
                .onFailure()
                .recoverWithItem(e -> e instanceof io.smallrye.mutiny.TimeoutException
                        ? "Kafka: the lease-request consumer did not answer within " + COMMIT_TIMEOUT.toMillis() + " ms"
                        : "Kafka: " + e);
    }
}

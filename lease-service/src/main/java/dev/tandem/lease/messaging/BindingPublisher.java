package dev.tandem.lease.messaging;

import dev.tandem.lease.repository.BindingRepository;
import dev.tandem.lease.repository.BindingRepository.Changed;
import dev.tandem.lease.service.ConfigHolder;
import dev.tandem.lease.service.FailoverView;
import dev.tandem.lease.service.LeaseStore;
import dev.tandem.lease.service.PoolBalancer;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.config.RelationshipConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Sends this server's binding changes in failover scopes to the coordinator ({@code binding-updates}, one partition,
 * acks=all), in update order; a row counts as published once the broker has it. On the coordinator's request it
 * publishes the relationship's bindings again and then an end-of-resend marker, which the single partition keeps
 * behind them. It names its lease database to the coordinator once per relationship after starting, and whenever
 * asked: a coordinator that finds another database than the one its state was recorded with recovers from the partner.
 */
@ApplicationScoped
public class BindingPublisher {

    public static final String CHANNEL = "binding-updates";
    private static final int BATCH = 500;
    private static final Duration RESEND_LIMIT = Duration.ofMinutes(5);

    private final MutinyEmitter<BindingUpdate> emitter;
    private final BindingRepository bindings;
    private final ConfigHolder configHolder;
    private final PoolBalancer balancer;
    private final MeterRegistry metrics;
    private final DrainLoop loop;
    private final LeaseStore store;
    private final FailoverView view;
    /** Relationships this lease-service has announced its lease database to since it started. */
    private final Set<String> announced = ConcurrentHashMap.newKeySet();

    public BindingPublisher(
            @Channel(CHANNEL) MutinyEmitter<BindingUpdate> emitter,
            BindingRepository bindings,
            ConfigHolder configHolder,
            PoolBalancer balancer,
            LeaseStore store,
            FailoverView view,
            MeterRegistry metrics) {
        this.store = store;
        this.view = view;
        this.emitter = emitter;
        this.balancer = balancer;
        this.bindings = bindings;
        this.configHolder = configHolder;
        this.metrics = metrics;
        this.loop = new DrainLoop(
                "binding updates", BATCH, () -> bindings.drain(BATCH, this::publish), () -> metrics.counter(
                                "tandem_failover_binding_updates_publish_failures_total")
                        .increment());
    }

    /** Starts a drain, or asks the running one to go round again. Never fails. */
    public void trigger() {
        loop.trigger();
    }

    @Scheduled(every = "1s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodic() {
        trigger();
        announce();
    }

    /** Names the lease database to the coordinator of each relationship not told since this service started. */
    private void announce() {
        configHolder.current().ifPresent(settings -> store.id().ifPresent(id -> {
            for (RelationshipConfig r : settings.relationships()) {
                if (announced.add(r.name())) {
                    store.identity()
                            .flatMap(i -> send(
                                    BindingUpdate.identity(r.name(), BindingUpdate.STARTED, i.id(), i.sequence()),
                                    "end"))
                            .subscribe()
                            .with(x -> {}, e -> {
                                announced.remove(r.name());
                                Log.warnf("Could not name the lease database to relationship %s: %s", r.name(), e);
                            });
                }
            }
        }));
    }

    private Uni<Void> publish(List<Changed> changed) {
        List<Uni<Void>> sends = new ArrayList<>(changed.size());
        for (Changed c : changed) {
            Optional<String> relationship = configHolder
                    .current()
                    .flatMap(s -> s.relationshipOf(c.scope()))
                    .map(RelationshipConfig::name);
            if (relationship.isEmpty()) {
                continue; // the scope left its relationship: nobody to tell
            }
            BindingUpdate update = BindingUpdate.of(relationship.get(), c.binding(), c.sequence());
            sends.add(send(update, update.address())
                    .invoke(() -> metrics.counter("tandem_failover_binding_updates_published_total")
                            .increment()));
        }
        return sends.isEmpty()
                ? Uni.createFrom().voidItem()
                : Uni.join().all(sends).andFailFast().replaceWithVoid();
    }

    private Uni<Void> send(BindingUpdate update, String key) {
        return emitter.sendMessage(Message.of(update)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .build()));
    }

    /**
     * Publishes the relationship's bindings again, or gives the partner this server's surplus of free addresses; then
     * the end marker, behind the updates.
     */
    @Incoming("failover-commands")
    public Uni<Void> onCommand(FailoverCommand command) {
        if (command == null || command.scopes() == null) {
            return Uni.createFrom().voidItem();
        }
        String[] inScopes = command.scopes().toArray(String[]::new);
        if (FailoverCommand.IDENTIFY.equals(command.command())) {
            return store.identity()
                    .flatMap(i -> send(
                            BindingUpdate.identity(command.relationship(), command.requestId(), i.id(), i.sequence()),
                            "end"))
                    .onFailure()
                    .recoverWithItem(e -> {
                        Log.warnf("Could not name the lease database to %s: %s", command.relationship(), e);
                        return null;
                    });
        }
        if (FailoverCommand.BALANCE.equals(command.command())
                && view.status(command.relationship()).map(view::otherStore).orElse(false)) {
            Log.warnf(
                    "Balance pass for %s refused: its failover state belongs to another lease database",
                    command.relationship());
            return Uni.createFrom().voidItem();
        }
        if (FailoverCommand.BALANCE.equals(command.command())) {
            // The coordinator asks only in NORMAL.
            return balancer.balance(
                            command.relationship(), command.revision(), command.secondaryPercent(), command.scopes())
                    .flatMap(moved -> awaitPublished(inScopes, System.nanoTime() + RESEND_LIMIT.toNanos())
                            .flatMap(x -> send(
                                    BindingUpdate.endOfBalance(command.relationship(), command.requestId(), moved),
                                    "end")))
                    .onFailure()
                    .recoverWithItem(e -> {
                        Log.warnf("Balance pass for %s failed: %s", command.relationship(), e);
                        return null;
                    });
        }
        boolean all = FailoverCommand.RESEND_ALL.equals(command.command());
        String[] scopes = inScopes;
        long deadline = System.nanoTime() + RESEND_LIMIT.toNanos();
        // A scope that joins is resent once its rows here are as the revision makes them (its leftovers forgotten, its
        // free addresses split): before, they may be missing or stale. Scopes already in the relationship here go at
        // once.
        boolean known = configHolder
                .current()
                .flatMap(s -> s.relationship(command.relationship()))
                .map(r -> r.scopes().containsAll(command.scopes()))
                .orElse(false);
        return (known ? Uni.createFrom().item(configHolder.current()) : configHolder.atLeast(command.revision()))
                .flatMap(settings -> settings.isPresent()
                        ? bindings.resend(scopes, all, command.upTo())
                        : Uni.createFrom()
                                .failure(new IllegalStateException(
                                        "configuration revision " + command.revision() + " is not in force here yet")))
                .invoke(n -> Log.logf(
                        n > 0 || all ? Logger.Level.INFO : Logger.Level.DEBUG, // the coordinator rechecks every 30 s
                        "Relationship %s: resending %d %s bindings (request %s)",
                        command.relationship(),
                        n,
                        all ? "changed" : "unacknowledged",
                        command.requestId()))
                .flatMap(n -> awaitPublished(scopes, deadline))
                .flatMap(x -> send(BindingUpdate.endOfResend(command.relationship(), command.requestId()), "end"))
                .onFailure()
                .recoverWithItem(e -> {
                    Log.warnf("Resend for %s failed: %s; the coordinator asks again", command.relationship(), e);
                    return null;
                });
    }

    /**
     * Waits until every change of the scopes numbered up to now is published, so the end marker follows them. Later
     * changes are not waited for: under load there always are some, and the marker would never go.
     */
    private Uni<Void> awaitPublished(String[] scopes, long deadline) {
        return bindings.lastUpdateNumber().flatMap(bound -> awaitPublished(scopes, bound, deadline));
    }

    private Uni<Void> awaitPublished(String[] scopes, long bound, long deadline) {
        trigger();
        return bindings.unpublished(scopes, bound).flatMap(pending -> {
            if (!pending) {
                return Uni.createFrom().voidItem();
            }
            if (System.nanoTime() > deadline) {
                return Uni.createFrom().failure(new IllegalStateException("resend not published in time"));
            }
            return Uni.createFrom()
                    .voidItem()
                    .onItem()
                    .delayIt()
                    .by(Duration.ofMillis(50))
                    .flatMap(x -> awaitPublished(scopes, bound, deadline));
        });
    }
}

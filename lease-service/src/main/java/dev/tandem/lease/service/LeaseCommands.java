package dev.tandem.lease.service;

import dev.tandem.lease.domain.LeaseState;
import dev.tandem.lease.messaging.EventPublisher;
import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.repository.OutboxRepository;
import dev.tandem.protocol.bus.LeaseCommand;
import dev.tandem.protocol.bus.LeaseCommandResult;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * An operator's lease operations ({@link LeaseCommand}): end one address's active lease as its client's release would,
 * or run the reclaim pass now until nothing is left to end. Each answers only after its commit, and its lease event
 * goes out like any other (in a failover scope the partner learns a release by a binding update). A release in a
 * failover scope is carried out only where this server changes bindings for its clients (NORMAL,
 * COMMUNICATIONS-INTERRUPTED, PARTNER-DOWN, its state fresh and recorded with this lease database), as a client's
 * release is: elsewhere (RECOVER on a restored database, say) a stale binding's release would overrule the partner's
 * newer one. The client is not told: the operation is for clients known to be gone (Kea's lease4-del, ISC's omshell),
 * and a client still there is refused at its next renewal.
 */
@ApplicationScoped
public class LeaseCommands {

    /** A reclaim now ends at most this many passes of the configured batch (the scheduled passes carry on after). */
    static final int MAX_RECLAIM_PASSES = 100;

    private final LeaseRepository leases;
    private final OutboxRepository outbox;
    private final LeaseEvents leaseEvents;
    private final EventPublisher publisher;
    private final ReclaimService reclaim;
    private final FailoverView failover;
    private final ConfigHolder config;
    private final MeterRegistry metrics;
    private final Clock clock;

    public LeaseCommands(
            LeaseRepository leases,
            OutboxRepository outbox,
            LeaseEvents leaseEvents,
            EventPublisher publisher,
            ReclaimService reclaim,
            FailoverView failover,
            ConfigHolder config,
            MeterRegistry metrics,
            Clock clock) {
        this.leases = leases;
        this.outbox = outbox;
        this.leaseEvents = leaseEvents;
        this.publisher = publisher;
        this.reclaim = reclaim;
        this.failover = failover;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    public Uni<LeaseCommandResult> handle(LeaseCommand command) {
        if (command == null || command.command() == null) {
            return Uni.createFrom().item(refused(null, null, "not a lease command"));
        }
        if (command.at() == null || command.at().isBefore(clock.instant().minus(LeaseCommand.MAX_AGE))) {
            return Uni.createFrom()
                    .item(refused(
                            command.command(),
                            command.address(),
                            "asked at " + command.at() + ", more than " + LeaseCommand.MAX_AGE.toSeconds()
                                    + " s ago: not carried out (the operator was told it timed out)"))
                    .invoke(r -> metrics.counter(
                                    "tandem_lease_commands_total",
                                    "command",
                                    String.valueOf(r.command()),
                                    "outcome",
                                    r.outcome())
                            .increment());
        }
        Uni<LeaseCommandResult> result =
                switch (command.command()) {
                    case LeaseCommand.RELEASE -> release(command);
                    case LeaseCommand.RECLAIM -> reclaimNow();
                    default -> Uni.createFrom().item(refused(command.command(), command.address(), "unknown command"));
                };
        return result.invoke(r -> {
            metrics.counter(
                            "tandem_lease_commands_total",
                            "command",
                            String.valueOf(r.command()),
                            "outcome",
                            r.outcome())
                    .increment();
            Log.infof(
                    "Lease command %s%s by %s: %s (%d changed)",
                    command.command(),
                    command.address() == null ? "" : " " + command.address(),
                    command.by() == null ? "an operator" : command.by(),
                    r.outcome(),
                    r.count());
        });
    }

    private Uni<LeaseCommandResult> release(LeaseCommand command) {
        Ipv4 address;
        try {
            address = Ipv4.parse(String.valueOf(command.address()));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(refused(command.command(), command.address(), "not an IPv4 address"));
        }
        Instant now = clock.instant();
        return leases.scopeOf(address).flatMap(scope -> {
            String refusal = scope.flatMap(id -> refusal(id, now)).orElse(null);
            return refusal != null
                    ? Uni.createFrom().item(refused(LeaseCommand.RELEASE, address.toString(), refusal))
                    : release(address, now);
        });
    }

    /** Why this server may not end a lease of the scope now (empty: it may). */
    private java.util.Optional<String> refusal(String scope, Instant now) {
        return config.current()
                .flatMap(settings -> failover.context(settings, scope, now))
                .flatMap(c -> {
                    boolean changes = c.serves()
                            && (c.state() == FailoverState.NORMAL
                                    || c.state() == FailoverState.COMMUNICATIONS_INTERRUPTED
                                    || c.state() == FailoverState.PARTNER_DOWN);
                    return changes
                            ? java.util.Optional.empty()
                            : java.util.Optional.of("failover relationship "
                                    + c.relationship().name() + " is "
                                    + c.state().label() + " here: this server changes no binding of scope " + scope
                                    + " now (its partner may hold a newer one)");
                });
    }

    private Uni<LeaseCommandResult> release(Ipv4 address, Instant now) {
        return leases.pool()
                .withTransaction(conn -> leases.endByOperator(conn, address, now, reclaim.failoverScopes())
                        .flatMap(ended -> {
                            if (ended.isEmpty()) {
                                return Uni.createFrom()
                                        .item(new LeaseCommandResult(
                                                LeaseCommandResult.VERSION,
                                                LeaseCommand.RELEASE,
                                                address.toString(),
                                                LeaseCommandResult.NOT_HELD,
                                                0,
                                                address + " holds no active lease here"));
                            }
                            LeaseRepository.Expired e = ended.get();
                            return outbox.append(
                                            conn,
                                            List.of(leaseEvents.pending(
                                                    "released",
                                                    LeaseState.RELEASED,
                                                    e.address(),
                                                    e.scope(),
                                                    e.client(),
                                                    now,
                                                    null)))
                                    .replaceWith(new LeaseCommandResult(
                                            LeaseCommandResult.VERSION,
                                            LeaseCommand.RELEASE,
                                            address.toString(),
                                            LeaseCommandResult.RELEASED,
                                            1,
                                            "the lease of " + e.client().key() + " ended as released"));
                        }))
                .invoke(publisher::trigger);
    }

    private Uni<LeaseCommandResult> reclaimNow() {
        return pass(0, 0)
                .map(count -> new LeaseCommandResult(
                        LeaseCommandResult.VERSION,
                        LeaseCommand.RECLAIM,
                        null,
                        LeaseCommandResult.DONE,
                        count,
                        count + " expired lease(s), offer(s) and decline probation(s) ended"));
    }

    private Uni<Integer> pass(int done, int passes) {
        return reclaim.reclaim()
                .flatMap(changed -> changed == 0 || passes + 1 >= MAX_RECLAIM_PASSES
                        ? Uni.createFrom().item(done + changed)
                        : pass(done + changed, passes + 1));
    }

    private static LeaseCommandResult refused(String command, String address, String why) {
        return new LeaseCommandResult(LeaseCommandResult.VERSION, command, address, LeaseCommandResult.REFUSED, 0, why);
    }
}

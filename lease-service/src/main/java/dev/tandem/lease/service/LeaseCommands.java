package dev.tandem.lease.service;

import dev.tandem.lease.domain.LeaseState;
import dev.tandem.lease.messaging.EventPublisher;
import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.repository.OutboxRepository;
import dev.tandem.protocol.bus.LeaseCommand;
import dev.tandem.protocol.bus.LeaseCommandResult;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * An operator's lease operations ({@link LeaseCommand}): end one address's lease as its client's release would, or run
 * the reclaim pass now until nothing is left to end. Each answers only after its commit, and its lease event goes out
 * like any other (in a failover scope the partner learns a release by a binding update).
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
    private final MeterRegistry metrics;
    private final Clock clock;

    public LeaseCommands(
            LeaseRepository leases,
            OutboxRepository outbox,
            LeaseEvents leaseEvents,
            EventPublisher publisher,
            ReclaimService reclaim,
            MeterRegistry metrics,
            Clock clock) {
        this.leases = leases;
        this.outbox = outbox;
        this.leaseEvents = leaseEvents;
        this.publisher = publisher;
        this.reclaim = reclaim;
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
                                                address + " holds no lease and no declined address here"));
                            }
                            LeaseRepository.Expired e = ended.get();
                            boolean active = "ACTIVE".equals(e.before());
                            return outbox.append(
                                            conn,
                                            List.of(leaseEvents.pending(
                                                    active ? "released" : "reclaimed",
                                                    active ? LeaseState.RELEASED : LeaseState.FREE,
                                                    e.address(),
                                                    e.scope(),
                                                    e.client(),
                                                    now,
                                                    null)))
                                    .replaceWith(new LeaseCommandResult(
                                            LeaseCommandResult.VERSION,
                                            LeaseCommand.RELEASE,
                                            address.toString(),
                                            active ? LeaseCommandResult.RELEASED : LeaseCommandResult.RECLAIMED,
                                            1,
                                            active
                                                    ? "the lease of "
                                                            + e.client().key() + " ended as released"
                                                    : "the declined address is free again"));
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

package dev.tandem.coordinator.service;

import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.config.RelationshipConfig;
import io.quarkus.logging.Log;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** What a relationship asks of this server's lease-services: resends, balancing passes, its database's name. */
final class LeaseServiceCommands {

    /**
     * ISC dhcpd balances every pool to half and half whatever the split (its hot standby included), and gives back
     * whatever it holds beyond that. Balancing to another share against it would move addresses back and forth on
     * every pass, so with an ISC partner both aim at half.
     */
    static final int ISC_SECONDARY_PERCENT = 50;

    /** How long a resend may take before it is asked for again. */
    private static final Duration RESEND_PATIENCE = Duration.ofSeconds(30);

    private final RelationshipConfig config;
    private final RelationshipRunner.Bus bus;
    private final Actor actor;
    private final LongSupplier revision;
    private final Supplier<Set<String>> joining;
    private final BooleanSupplier iscPartner;

    LeaseServiceCommands(
            RelationshipConfig config,
            RelationshipRunner.Bus bus,
            Actor actor,
            LongSupplier revision,
            Supplier<Set<String>> joining,
            BooleanSupplier iscPartner) {
        this.config = config;
        this.bus = bus;
        this.actor = actor;
        this.revision = revision;
        this.joining = joining;
        this.iscPartner = iscPartner;
    }

    void send(String command) {
        send(command, UUID.randomUUID().toString());
    }

    void send(String command, String requestId) {
        send(command, requestId, null);
    }

    /** A command; {@code upTo}: a resend of the unacknowledged updates numbered up to this one only. */
    void send(String command, String requestId, Long upTo) {
        boolean balance = FailoverCommand.BALANCE.equals(command);
        bus.command(new FailoverCommand(
                FailoverCommand.VERSION,
                config.name(),
                command,
                requestId,
                // a joining scope is not balanced: the partner may not have it yet, and would not take what it is given
                balance
                        ? config.scopes().stream()
                                .filter(scope -> !joining.get().contains(scope))
                                .toList()
                        : config.scopes(),
                revision.getAsLong(),
                balance && iscPartner.getAsBoolean() ? ISC_SECONDARY_PERCENT : null,
                upTo));
    }

    /**
     * Asks for a resend, again every 30 s while its end marker has not arrived and {@code waiting} holds (the link
     * still the same): a resend that failed there (a database conflict, a restart) is not lost.
     */
    void resend(String command, String requestId, BooleanSupplier waiting) {
        send(command, requestId);
        actor.after(RESEND_PATIENCE, () -> {
            if (waiting.getAsBoolean()) {
                Log.warnf(
                        "Failover %s: the lease-service has not finished resend %s; asking again",
                        config.name(), requestId);
                resend(command, requestId, waiting);
            }
        });
    }
}

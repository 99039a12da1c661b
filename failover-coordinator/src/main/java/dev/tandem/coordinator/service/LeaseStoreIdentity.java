package dev.tandem.coordinator.service;

import dev.tandem.coordinator.domain.LeaseStoreCheck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverCommand;
import io.quarkus.logging.Log;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The lease database a relationship's state goes with: a state is stable storage only together with its bindings
 * (draft §9.3.2). The lease-service names its database (and its latest update number) when asked and when it starts;
 * {@link LeaseStoreCheck} judges whether it is the one the state was recorded with.
 */
final class LeaseStoreIdentity {

    /** What a naming of the database means for the relationship. */
    enum Outcome {
        /** Nothing changes (already checked, or a naming that is not the answer to wait for). */
        NONE,
        /** The database is the state's: the state may be resumed. */
        CONFIRMED,
        /** Another database during startup: the state is dropped and the relationship starts as a new server. */
        REPLACED_AT_STARTUP,
        /** Another database while running: the relationship must start over as a new server. */
        REPLACED
    }

    private static final Duration ASK_EVERY = Duration.ofSeconds(5);

    private final String relationship;
    private final Actor actor;
    private final LeaseServiceCommands commands;
    private final String identifyRequest = UUID.randomUUID().toString();

    private String leaseStore;
    private long storeSequence;
    /** Whether the lease-service has named its database in answer to our identify command. */
    private boolean checked;

    private long identifyTimer = -1;

    LeaseStoreIdentity(
            String relationship, String leaseStore, long storeSequence, Actor actor, LeaseServiceCommands commands) {
        this.relationship = relationship;
        this.leaseStore = leaseStore;
        this.storeSequence = storeSequence;
        this.actor = actor;
        this.commands = commands;
    }

    /**
     * Asks the lease-service to name its database, again every 5 s until it has (it may be starting too), logging what
     * waits for it meanwhile (null: nothing).
     */
    void identify(Supplier<String> waiting) {
        commands.send(FailoverCommand.IDENTIFY, identifyRequest);
        identifyTimer = actor.every(ASK_EVERY, () -> {
            if (checked) {
                identifyTimer = actor.cancel(identifyTimer);
                return;
            }
            String what = waiting.get();
            if (what != null) {
                Log.warnf(
                        "Failover %s: waiting for the lease-service to name its lease database before %s",
                        relationship, what);
            }
            commands.send(FailoverCommand.IDENTIFY, identifyRequest);
        });
    }

    boolean checked() {
        return checked;
    }

    String store() {
        return leaseStore;
    }

    long sequence() {
        return storeSequence;
    }

    /** An update of ours numbered so: the state goes with the database up to it. */
    void seen(long sequence) {
        if (checked) {
            storeSequence = Math.max(storeSequence, sequence);
        }
    }

    /**
     * The lease-service named its database: in answer to our identify command, or unasked when it started. The update
     * number is compared only in the answer to our own ask: an announcement may have been read before updates this
     * runner saw since. {@code startingUp}: the relationship is in STARTUP; {@code resuming}, the state it would resume.
     */
    Outcome check(BindingUpdate named, boolean startingUp, String resuming) {
        boolean answer = identifyRequest.equals(named.resendDone());
        long sequence = named.storeSequence() == null ? 0 : named.storeSequence();
        LeaseStoreCheck check =
                LeaseStoreCheck.of(leaseStore, storeSequence, checked, answer, named.leaseStore(), sequence);
        if (check.verdict() == LeaseStoreCheck.Verdict.WAIT) {
            return Outcome.NONE; // wait for the answer, which is compared in full
        }
        if (check.verdict() == LeaseStoreCheck.Verdict.SAME) {
            if (checked) {
                return Outcome.NONE;
            }
            checked = true;
            identifyTimer = actor.cancel(identifyTimer);
            if (leaseStore == null) {
                Log.infof("Failover %s: state kept with lease database %s", relationship, named.leaseStore());
            }
            leaseStore = named.leaseStore();
            storeSequence = Math.max(storeSequence, sequence);
            return Outcome.CONFIRMED;
        }
        if (startingUp && !checked) {
            Log.errorf(
                    "Failover %s: %s; its bindings are lost, so %s is not resumed: starting as a new server"
                            + " (RECOVER, every binding from the partner)",
                    relationship, check.why(), resuming == null ? "no state" : resuming);
            checked = true;
            identifyTimer = actor.cancel(identifyTimer);
            leaseStore = named.leaseStore();
            storeSequence = sequence;
            return Outcome.REPLACED_AT_STARTUP;
        }
        Log.errorf(
                "Failover %s: %s; its bindings are lost: starting the relationship over as a new server"
                        + " (RECOVER, every binding from the partner)",
                relationship, check.why());
        return Outcome.REPLACED;
    }
}

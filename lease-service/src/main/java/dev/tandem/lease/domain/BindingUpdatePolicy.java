package dev.tandem.lease.domain;

import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.failover.RejectReason;
import java.time.Instant;
import java.util.Objects;

/**
 * Whether a binding update from the partner is applied: the acceptance matrix of draft-ietf-dhc-failover-12 §7.1.3.
 * Rows are this server's binding of the address, columns the state the update carries. A refusal names the reject
 * reason the BNDACK carries; it is counted and never takes the relationship down.
 */
public final class BindingUpdatePolicy {

    private BindingUpdatePolicy() {}

    /** This server's binding of the address as the matrix sees it. */
    public record Local(LeaseState state, String clientKey, Instant expiresAt, Instant cltt, Instant stateSince) {}

    /**
     * The update: its state, client and client-last-transaction time, and whether the partner settles two ACTIVE
     * bindings of one address by the later one (ISC dhcpd: see {@code BindingUpdate.laterActiveWins}).
     */
    public record Incoming(BindingStatus status, String clientKey, Instant cltt, boolean laterActiveWins) {}

    /** The verdict; {@code reason} is null when accepted. */
    public record Verdict(RejectReason reason, String message) {
        static final Verdict ACCEPT = new Verdict(null, null);

        public boolean accepted() {
            return reason == null;
        }

        static Verdict reject(RejectReason reason, String message) {
            return new Verdict(reason, message);
        }
    }

    public static Verdict decide(Local local, Incoming update, boolean primary, Instant now) {
        Row row = row(local, now);
        Column column = column(update.status());
        return switch (row) {
            case FREE -> Verdict.ACCEPT;
            case ACTIVE -> switch (column) {
                case ACTIVE -> Objects.equals(local.clientKey(), update.clientKey())
                                || !primary
                                || laterWins(local, update)
                        ? Verdict.ACCEPT
                        // (5): a different client; the primary's binding wins, unless the partner settles it by the
                        // later one (ISC dhcpd, which keeps its later ACTIVE and refuses ours): then both hold the
                        // later
                        : Verdict.reject(RejectReason.FATAL_CONFLICT, "address is bound to another client");
                case EXPIRED, FREE -> expired(local, now); // time(2)
                case RELEASED -> later(update.cltt(), local.cltt()); // time(1)
                case RESET_ABANDONED -> Verdict.ACCEPT;
            };
            case EXPIRED -> column == Column.ACTIVE ? later(update.cltt(), local.cltt()) : Verdict.ACCEPT;
            case RELEASED -> column == Column.ACTIVE
                            || (column == Column.EXPIRED && !Objects.equals(local.clientKey(), update.clientKey()))
                    ? later(update.cltt(), local.cltt())
                    // The same client's expiry: both servers hold that its binding ended, whichever came first. The
                    // draft's time(1) refuses one no later than our release, and the cltt on the wire is in whole
                    // seconds: a release and an expiry in the same second, each refused by the other server, would
                    // leave the address RELEASED on one side and EXPIRED on the other for good, free on neither.
                    : Verdict.ACCEPT;
            case ABANDONED -> column == Column.RESET_ABANDONED
                    ? Verdict.ACCEPT
                    : Verdict.reject(
                            RejectReason.LESS_CRITICAL_BINDING_INFORMATION, "address is abandoned (declined) here");
        };
    }

    /** A partner that settles two ACTIVE bindings by the later one (ISC) sent the strictly later one. */
    private static boolean laterWins(Local local, Incoming update) {
        return update.laterActiveWins()
                && update.cltt() != null
                && local.cltt() != null
                && update.cltt().isAfter(local.cltt());
    }

    private enum Row {
        FREE,
        ACTIVE,
        EXPIRED,
        RELEASED,
        ABANDONED
    }

    private enum Column {
        ACTIVE,
        EXPIRED,
        RELEASED,
        FREE,
        RESET_ABANDONED
    }

    private static Row row(Local local, Instant now) {
        return switch (local.state()) {
                // An offer is not a binding (§5.3): the address is still free as far as the partner is concerned.
            case FREE, OFFERED -> Row.FREE;
            case ACTIVE -> Row.ACTIVE;
            case EXPIRED -> Row.EXPIRED;
            case RELEASED -> Row.RELEASED;
                // A declined address out of probation is free again.
            case DECLINED -> local.expiresAt() != null && !now.isBefore(local.expiresAt()) ? Row.FREE : Row.ABANDONED;
        };
    }

    private static Column column(BindingStatus status) {
        return switch (status) {
            case ACTIVE -> Column.ACTIVE;
            case EXPIRED -> Column.EXPIRED;
            case RELEASED -> Column.RELEASED;
            case FREE, BACKUP -> Column.FREE;
            case RESET, ABANDONED -> Column.RESET_ABANDONED;
        };
    }

    /** time(1): the update's transaction is later than ours. */
    private static Verdict later(Instant incoming, Instant ours) {
        if (ours == null || (incoming != null && incoming.isAfter(ours))) {
            return Verdict.ACCEPT;
        }
        return Verdict.reject(RejectReason.OUTDATED_BINDING_INFORMATION, "a later transaction is known here");
    }

    /** time(2): our lease has run out. */
    private static Verdict expired(Local local, Instant now) {
        if (local.expiresAt() == null || !now.isBefore(local.expiresAt())) {
            return Verdict.ACCEPT;
        }
        return Verdict.reject(RejectReason.OUTDATED_BINDING_INFORMATION, "the lease has not expired here");
    }
}

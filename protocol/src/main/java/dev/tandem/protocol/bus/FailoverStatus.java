package dev.tandem.protocol.bus;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.tandem.protocol.failover.FailoverState;
import java.time.Instant;
import java.util.List;

/**
 * The failover state of one relationship on one server (schema {@code failover-status.v1}), published by the
 * coordinator to the compacted {@code tandem.<server>.failover-state} topic keyed by relationship name. The gateway
 * decides from it which clients this server answers; the lease-service which addresses it may allocate and how long a
 * lease may be. It is also the coordinator's stable storage of its state (draft-ietf-dhc-failover-12 §9.1).
 *
 * @param role primary or secondary
 * @param mode load-balance or hot-standby
 * @param state this server's state (NORMAL, COMMUNICATIONS-INTERRUPTED, ...)
 * @param since when this server entered the state
 * @param partnerState the partner's last known state
 * @param communicating whether the connection to the partner is up (CONNECT, CONNECTACK and STATE exchanged)
 * @param mclt maximum client lead time in force, seconds (the primary's, for a secondary)
 * @param hashBuckets 32 octets hex: a set bit gives the bucket to the primary (RFC 3074, ISC polarity)
 * @param scopes subnets of the relationship
 * @param everCommunicated whether this server has ever completed a handshake with the partner
 * @param drainUntil in SHUTDOWN for maintenance: until when the exchanges in flight are still finished
 * @param leaseStore the identity of the lease database this state goes with (null: not known yet). A lease-service
 *     whose database has another identity does not serve the relationship on this state
 * @param storeSequence the highest binding update number of that database the coordinator has seen: a database that
 *     reports a lower one is an older copy
 * @param joining scopes that joined the running relationship and whose bindings the partner has not sent yet (asked
 *     with update-request-all): nothing is allocated in them to a new client until then (null: none)
 */
public record FailoverStatus(
        int version,
        String server,
        String relationship,
        String role,
        String mode,
        String state,
        Instant since,
        String partnerState,
        Instant partnerSince,
        boolean communicating,
        long mclt,
        String hashBuckets,
        int loadBalanceMaxSeconds,
        List<String> scopes,
        boolean everCommunicated,
        Instant updatedAt,
        Instant drainUntil,
        String leaseStore,
        long storeSequence,
        List<String> joining) {

    public static final int VERSION = 1;

    /** This server's state as the enum. */
    @JsonIgnore
    public FailoverState localState() {
        return FailoverState.ofLabel(state);
    }

    /** The partner's last known state as the enum. */
    @JsonIgnore
    public FailoverState partner() {
        return FailoverState.ofLabel(partnerState);
    }

    /** Whether this state was recorded with another lease database than {@code store} (lost, replaced, restored). */
    public boolean recordedWithOtherStore(String store) {
        return leaseStore != null && !leaseStore.equals(store);
    }

    /**
     * This state with no scope: what a relationship removed from the configuration leaves behind, so that if it comes
     * back each of its scopes joins anew (its bindings may have changed meanwhile, unknown to the partner).
     */
    public FailoverStatus withoutScopes() {
        return new FailoverStatus(
                version,
                server,
                relationship,
                role,
                mode,
                state,
                since,
                partnerState,
                partnerSince,
                communicating,
                mclt,
                hashBuckets,
                loadBalanceMaxSeconds,
                List.of(),
                everCommunicated,
                updatedAt,
                drainUntil,
                leaseStore,
                storeSequence,
                null);
    }

    /** Whether the scope joined the running relationship and the partner's bindings of it are not here yet. */
    public boolean joining(String scope) {
        return joining != null && joining.contains(scope);
    }

    /** Whether this server is handing over for maintenance and still finishes exchanges in flight. */
    public boolean draining(Instant now) {
        return drainUntil != null && now.isBefore(drainUntil);
    }
}

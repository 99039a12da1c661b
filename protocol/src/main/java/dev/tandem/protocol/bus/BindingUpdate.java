package dev.tandem.protocol.bus;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.net.Ipv4;
import java.util.HexFormat;

/**
 * One binding on the bus (schema {@code binding-update.v1}): a lease of this server on its way to the partner
 * ({@code binding-updates}), or a partner's update to apply ({@code partner-updates}). A record with no address and a
 * {@code resendDone} id marks the end of a resend or balance pass the coordinator asked for; after a balance pass
 * {@code addressesMoved} says how many free addresses it gave the partner (the POOLRESP count). A marker with
 * {@code leaseStore} names the lease database: the answer to an identify command, or (with resendDone
 * {@value #STARTED}) what a starting lease-service announces.
 *
 * @param status FREE, ACTIVE, EXPIRED, RELEASED, ABANDONED, RESET or BACKUP (draft-ietf-dhc-failover-12 §12.3)
 * @param clientId option 61 data, hex
 * @param hardwareAddress htype then chaddr, hex (failover option 5)
 * @param leaseExpiration seconds since 1970; 0 unknown
 * @param potentialExpiration seconds since 1970: what the partner may assume at most
 * @param sequence the sender's update number for the address; an ack names it
 * @param addressesMoved on the end marker of a balance pass: how many addresses it moved; otherwise null
 * @param leaseStore on an identify marker: the identity of the lease database (made when its schema was created)
 * @param storeSequence on an identify marker: the database's latest binding update number
 * @param revision on a partner's update: the configuration revision the coordinator runs the relationship with; the
 *     lease-service applies it only once it has applied that revision (a scope that just joined is in it); else null
 * @param sendBack on a partner's update: true when the binding applied is to go back to the partner as an update of
 *     this server (the row stays unacknowledged until the partner acknowledges it, so it is resent like any other);
 *     else null
 * @param laterActiveWins on a partner's update: true when the partner settles two ACTIVE bindings of one address for
 *     different clients by the later client-last-transaction time (ISC dhcpd, failover_lease_is_better): applied over
 *     this server's ACTIVE binding of another client when it is later, where the acceptance matrix keeps the primary's
 *     (each server would keep its own client); else null
 */
public record BindingUpdate(
        int version,
        String relationship,
        String address,
        String status,
        String clientId,
        String hardwareAddress,
        long leaseExpiration,
        long potentialExpiration,
        long startTimeOfState,
        long cltt,
        int flags,
        long sequence,
        String resendDone,
        Integer addressesMoved,
        String leaseStore,
        Long storeSequence,
        Long revision,
        Boolean sendBack,
        Boolean laterActiveWins) {

    public static final int VERSION = 1;

    /** The request id of the marker a lease-service sends when it starts (no command asked for it). */
    public static final String STARTED = "lease-service-started";

    public static BindingUpdate endOfResend(String relationship, String requestId) {
        return marker(relationship, requestId, null, null, null);
    }

    public static BindingUpdate endOfBalance(String relationship, String requestId, int moved) {
        return marker(relationship, requestId, moved, null, null);
    }

    /** The lease database's identity and latest update number, answering {@code requestId}. */
    public static BindingUpdate identity(String relationship, String requestId, String store, long sequence) {
        return marker(relationship, requestId, null, store, sequence);
    }

    /** A record with no address answering {@code requestId}: an end marker or an identity. */
    private static BindingUpdate marker(
            String relationship, String requestId, Integer moved, String store, Long storeSequence) {
        return new BindingUpdate(
                VERSION,
                relationship,
                null,
                null,
                null,
                null,
                0,
                0,
                0,
                0,
                0,
                0,
                requestId,
                moved,
                store,
                storeSequence,
                null,
                null,
                null);
    }

    public static BindingUpdate of(String relationship, Binding b, long sequence) {
        HexFormat hex = HexFormat.of();
        return new BindingUpdate(
                VERSION,
                relationship,
                b.address().toString(),
                b.status().name(),
                b.clientId() == null ? null : hex.formatHex(b.clientId()),
                b.hardwareAddress() == null ? null : hex.formatHex(b.hardwareAddress()),
                b.leaseExpiration(),
                b.potentialExpiration(),
                b.startTimeOfState(),
                b.cltt(),
                b.flags(),
                sequence,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** This update as the coordinator hands it to the lease-service: applied once revision {@code r} is in force. */
    public BindingUpdate withRevision(long r) {
        return with(r, sendBack, laterActiveWins);
    }

    /** This partner's update, to go back to the partner as ours once applied (see {@code sendBack}). */
    public BindingUpdate sentBack() {
        return with(revision, true, laterActiveWins);
    }

    /** This partner's update, its later ACTIVE to be applied over ours of another client (see {@code laterActiveWins}). */
    public BindingUpdate withLaterActiveWins() {
        return with(revision, sendBack, true);
    }

    private BindingUpdate with(Long r, Boolean back, Boolean won) {
        return new BindingUpdate(
                version,
                relationship,
                address,
                status,
                clientId,
                hardwareAddress,
                leaseExpiration,
                potentialExpiration,
                startTimeOfState,
                cltt,
                flags,
                sequence,
                resendDone,
                addressesMoved,
                leaseStore,
                storeSequence,
                r,
                back,
                won);
    }

    @JsonIgnore
    public boolean isEndOfResend() {
        return resendDone != null;
    }

    @JsonIgnore
    public boolean isIdentity() {
        return resendDone != null && leaseStore != null;
    }

    public Binding toBinding() {
        HexFormat hex = HexFormat.of();
        return new Binding(
                Ipv4.parse(address),
                BindingStatus.valueOf(status),
                clientId == null ? null : hex.parseHex(clientId),
                hardwareAddress == null ? null : hex.parseHex(hardwareAddress),
                leaseExpiration,
                potentialExpiration,
                startTimeOfState,
                cltt,
                flags);
    }
}

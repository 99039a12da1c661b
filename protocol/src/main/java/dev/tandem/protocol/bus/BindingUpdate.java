package dev.tandem.protocol.bus;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.net.Ipv4;
import java.util.HexFormat;

/**
 * One binding on the bus (schema {@code binding-update.v1}): a lease of this server on its way to the partner
 * ({@code binding-updates}), or a partner's update to apply ({@code partner-updates}). A record with no address and a
 * {@code resendDone} id marks the end of a resend the coordinator asked for.
 *
 * @param status FREE, ACTIVE, EXPIRED, RELEASED, ABANDONED, RESET or BACKUP (draft-ietf-dhc-failover-12 §12.3)
 * @param clientId option 61 data, hex
 * @param hardwareAddress htype then chaddr, hex (failover option 5)
 * @param leaseExpiration seconds since 1970; 0 unknown
 * @param potentialExpiration seconds since 1970: what the partner may assume at most
 * @param sequence the sender's update number for the address; an ack names it
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
        String resendDone) {

    public static final int VERSION = 1;

    public static BindingUpdate endOfResend(String relationship, String requestId) {
        return new BindingUpdate(VERSION, relationship, null, null, null, null, 0, 0, 0, 0, 0, 0, requestId);
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
                null);
    }

    @JsonIgnore
    public boolean isEndOfResend() {
        return resendDone != null;
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

package dev.tandem.protocol.failover;

import dev.tandem.protocol.failover.FailoverMessage.Option;
import dev.tandem.protocol.failover.FailoverMessage.Options;
import java.util.List;
import java.util.Optional;

/**
 * Builds and reads the messages of draft-ietf-dhc-failover-12 §7 with the options in the order ISC dhcpd 4.4 sends
 * them, so that an ISC partner accepts every message (one binding per BNDUPD, no DDNS, IP-flags of two octets, payload
 * offset 12). The xid is filled in by the connection.
 */
public final class FailoverMessages {

    public static final int PROTOCOL_VERSION = 1;

    private FailoverMessages() {}

    /** CONNECT, primary to secondary (§7.8): name, window, receive timer, vendor, version, TLS request 0, MCLT, HBA. */
    public static FailoverMessage connect(
            long now,
            String relationship,
            long maxUnacked,
            long receiveTimer,
            String vendor,
            long mclt,
            LoadBalance.Buckets hba) {
        return FailoverMessage.of(
                MessageType.CONNECT,
                now,
                0,
                new Options()
                        .add(Option.text(FailoverOption.RELATIONSHIP_NAME, relationship))
                        .add(Option.u32(FailoverOption.MAX_UNACKED_BNDUPD, maxUnacked))
                        .add(Option.u32(FailoverOption.RECEIVE_TIMER, receiveTimer))
                        .add(Option.text(FailoverOption.VENDOR_CLASS, vendor))
                        .add(Option.u8(FailoverOption.PROTOCOL_VERSION, PROTOCOL_VERSION))
                        .add(Option.u8(FailoverOption.TLS_REQUEST, 0))
                        .add(Option.u32(FailoverOption.MCLT, mclt))
                        .add(Option.bytes(FailoverOption.HASH_BUCKET_ASSIGNMENT, hba.bytes()))
                        .list());
    }

    /** CONNECTACK (§7.9), accepting when {@code reject} is null; echoes the CONNECT's xid. */
    public static FailoverMessage connectAck(
            long now,
            long xid,
            String relationship,
            long maxUnacked,
            long receiveTimer,
            String vendor,
            RejectReason reject,
            String message) {
        Options o = new Options()
                .add(Option.text(FailoverOption.RELATIONSHIP_NAME, relationship))
                .add(Option.u32(FailoverOption.MAX_UNACKED_BNDUPD, maxUnacked))
                .add(Option.u32(FailoverOption.RECEIVE_TIMER, receiveTimer))
                .add(Option.text(FailoverOption.VENDOR_CLASS, vendor))
                .add(Option.u8(FailoverOption.PROTOCOL_VERSION, PROTOCOL_VERSION))
                .add(Option.u8(FailoverOption.TLS_REPLY, 0));
        if (reject != null) {
            o.add(Option.u8(FailoverOption.REJECT_REASON, reject.code()));
            o.add(Option.text(FailoverOption.MESSAGE, message));
        }
        return FailoverMessage.of(MessageType.CONNECTACK, now, xid, o.list());
    }

    /** STATE (§7.10): state, flags (0x01 while in STARTUP, then the state is the one recorded), start time of state. */
    public static FailoverMessage state(long now, FailoverState state, boolean startup, long startTimeOfState) {
        return FailoverMessage.of(
                MessageType.STATE,
                now,
                0,
                new Options()
                        .add(Option.u8(FailoverOption.SERVER_STATE, state.code()))
                        .add(Option.u8(FailoverOption.SERVER_FLAGS, startup ? 1 : 0))
                        .add(Option.u32(FailoverOption.START_TIME_OF_STATE, startTimeOfState))
                        .list());
    }

    public static FailoverMessage empty(MessageType type, long now, long xid) {
        return FailoverMessage.of(type, now, xid, List.of());
    }

    /** POOLRESP (§7.7) with the number of addresses this server will move to the requester. */
    public static FailoverMessage poolResponse(long now, long xid, long transferred) {
        return FailoverMessage.of(
                MessageType.POOLRESP, now, xid, List.of(Option.u32(FailoverOption.ADDRESSES_TRANSFERRED, transferred)));
    }

    public static FailoverMessage disconnect(long now, RejectReason reason, String message) {
        return FailoverMessage.of(
                MessageType.DISCONNECT,
                now,
                0,
                new Options()
                        .add(Option.u8(FailoverOption.REJECT_REASON, reason.code()))
                        .add(Option.text(FailoverOption.MESSAGE, message))
                        .list());
    }

    /** BNDUPD with exactly one binding (ISC refuses a repeated option), options in ISC's order (§5.1 of the notes). */
    public static FailoverMessage bindingUpdate(long now, Binding b) {
        Options o = new Options()
                .add(Option.address(FailoverOption.ASSIGNED_IP_ADDRESS, b.address()))
                .add(Option.u8(FailoverOption.BINDING_STATUS, b.status().code()));
        if (b.clientId() != null && b.clientId().length > 0) {
            o.add(Option.bytes(FailoverOption.CLIENT_IDENTIFIER, b.clientId()));
        }
        if (b.hardwareAddress() != null && b.hardwareAddress().length > 0) {
            o.add(Option.bytes(FailoverOption.CLIENT_HARDWARE_ADDRESS, b.hardwareAddress()));
        }
        o.add(Option.u32(FailoverOption.LEASE_EXPIRATION_TIME, b.leaseExpiration()));
        o.add(Option.u32(FailoverOption.POTENTIAL_EXPIRATION_TIME, b.potentialExpiration()));
        o.add(Option.u32(FailoverOption.START_TIME_OF_STATE, b.startTimeOfState()));
        if (b.cltt() != 0) {
            o.add(Option.u32(FailoverOption.CLIENT_LAST_TRANSACTION_TIME, b.cltt()));
        }
        if (b.flags() != 0) {
            o.add(Option.u16(FailoverOption.IP_FLAGS, b.flags()));
        }
        return FailoverMessage.of(MessageType.BNDUPD, now, 0, o.list());
    }

    /**
     * The binding a BNDUPD carries, or empty when the address or a valid status is missing (reject with
     * MISSING_BINDING_INFORMATION).
     */
    public static Optional<Binding> binding(FailoverMessage m) {
        var address = m.address(FailoverOption.ASSIGNED_IP_ADDRESS);
        var status = m.u8(FailoverOption.BINDING_STATUS).flatMap(BindingStatus::of);
        if (address.isEmpty() || status.isEmpty()) {
            return Optional.empty();
        }
        int flags = m.bytes(FailoverOption.IP_FLAGS)
                .map(b -> b.length == 2 ? ((b[0] & 0xff) << 8) | (b[1] & 0xff) : 0)
                .orElse(0);
        return Optional.of(new Binding(
                address.get(),
                status.get(),
                m.bytes(FailoverOption.CLIENT_IDENTIFIER).orElse(null),
                m.bytes(FailoverOption.CLIENT_HARDWARE_ADDRESS).orElse(null),
                m.u32(FailoverOption.LEASE_EXPIRATION_TIME).orElse(0L),
                m.u32(FailoverOption.POTENTIAL_EXPIRATION_TIME).orElse(0L),
                m.u32(FailoverOption.START_TIME_OF_STATE).orElse(0L),
                m.u32(FailoverOption.CLIENT_LAST_TRANSACTION_TIME).orElse(0L),
                flags));
    }

    /**
     * BNDACK (§7.2) for one binding: the address only (ISC misreads anything else), plus reject reason and message when
     * refused. Echoes the BNDUPD's xid.
     */
    public static FailoverMessage bindingAck(long now, long xid, Binding b, RejectReason reject, String message) {
        Options o = new Options().add(Option.address(FailoverOption.ASSIGNED_IP_ADDRESS, b.address()));
        if (reject != null) {
            o.add(Option.u8(FailoverOption.REJECT_REASON, reject.code()));
            o.add(Option.text(FailoverOption.MESSAGE, message));
        }
        return FailoverMessage.of(MessageType.BNDACK, now, xid, o.list());
    }

    public static Optional<RejectReason> rejectReason(FailoverMessage m) {
        return m.u8(FailoverOption.REJECT_REASON).map(c -> RejectReason.of(c).orElse(RejectReason.UNKNOWN));
    }
}

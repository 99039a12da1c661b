package dev.tandem.protocol.failover;

import java.util.Optional;

/**
 * The failover options of draft-ietf-dhc-failover-12 §12 as data: code and data length (-1 for variable). Lengths are
 * the ones ISC dhcpd 4.4 enforces, which differ from the draft for IP-flags (2 octets, not 1).
 */
public enum FailoverOption {
    ADDRESSES_TRANSFERRED(1, 4),
    ASSIGNED_IP_ADDRESS(2, 4),
    BINDING_STATUS(3, 1),
    CLIENT_IDENTIFIER(4, -1),
    CLIENT_HARDWARE_ADDRESS(5, -1),
    CLIENT_LAST_TRANSACTION_TIME(6, 4),
    CLIENT_REPLY_OPTIONS(7, -1),
    CLIENT_REQUEST_OPTIONS(8, -1),
    DDNS(9, -1),
    DELAYED_SERVICE_PARAMETER(10, 1),
    HASH_BUCKET_ASSIGNMENT(11, 32),
    IP_FLAGS(12, 2),
    LEASE_EXPIRATION_TIME(13, 4),
    MAX_UNACKED_BNDUPD(14, 4),
    MCLT(15, 4),
    MESSAGE(16, -1),
    MESSAGE_DIGEST(17, -1),
    POTENTIAL_EXPIRATION_TIME(18, 4),
    RECEIVE_TIMER(19, 4),
    PROTOCOL_VERSION(20, 1),
    REJECT_REASON(21, 1),
    RELATIONSHIP_NAME(22, -1),
    SERVER_FLAGS(23, 1),
    SERVER_STATE(24, 1),
    START_TIME_OF_STATE(25, 4),
    TLS_REPLY(26, 1),
    TLS_REQUEST(27, 1),
    VENDOR_CLASS(28, -1),
    VENDOR_OPTIONS(29, -1);

    private final int code;
    private final int length;

    FailoverOption(int code, int length) {
        this.code = code;
        this.length = length;
    }

    public int code() {
        return code;
    }

    /** The fixed data length, or -1 when it varies. */
    public int length() {
        return length;
    }

    public static Optional<FailoverOption> of(int code) {
        return code >= 1 && code <= 29 ? Optional.of(values()[code - 1]) : Optional.empty();
    }
}

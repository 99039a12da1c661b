package dev.tandem.protocol.failover;

import java.util.Optional;

/** Reject reasons (draft-ietf-dhc-failover-12 §12.21). */
public enum RejectReason {
    ILLEGAL_ADDRESS(1),
    FATAL_CONFLICT(2),
    MISSING_BINDING_INFORMATION(3),
    TIME_MISMATCH(4),
    INVALID_MCLT(5),
    UNKNOWN_REASON(6),
    DUPLICATE_CONNECTION(7),
    INVALID_PARTNER(8),
    TLS_NOT_SUPPORTED(9),
    TLS_NOT_CONFIGURED(10),
    TLS_REQUIRED(11),
    DIGEST_NOT_SUPPORTED(12),
    DIGEST_NOT_CONFIGURED(13),
    PROTOCOL_VERSION_MISMATCH(14),
    OUTDATED_BINDING_INFORMATION(15),
    LESS_CRITICAL_BINDING_INFORMATION(16),
    NO_TRAFFIC(17),
    HBA_CONFLICT(18),
    IP_NOT_RESERVED(19),
    DIGEST_FAILED(20),
    MISSING_DIGEST(21),
    UNKNOWN(254);

    private final int code;

    RejectReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<RejectReason> of(int code) {
        for (RejectReason r : values()) {
            if (r.code == code) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    public String tag() {
        return name().toLowerCase().replace('_', '-');
    }
}

package dev.tandem.protocol.failover;

import java.util.Optional;

/** Binding states of the binding-status option (draft-ietf-dhc-failover-12 §12.3). Only 1..7 may be sent. */
public enum BindingStatus {
    /** Free, allocatable by the primary. */
    FREE(1),
    ACTIVE(2),
    EXPIRED(3),
    RELEASED(4),
    ABANDONED(5),
    RESET(6),
    /** Free, allocatable by the secondary. */
    BACKUP(7);

    private final int code;

    BindingStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<BindingStatus> of(int code) {
        return code >= 1 && code <= 7 ? Optional.of(values()[code - 1]) : Optional.empty();
    }
}

package dev.tandem.protocol.failover;

import java.util.Optional;

/**
 * Failover server states with their server-state option codes (draft-ietf-dhc-failover-12 §12.24). RECOVER-WAIT has no
 * number in the draft; 254 is the value ISC dhcpd puts on the wire.
 */
public enum FailoverState {
    UNKNOWN(0),
    STARTUP(1),
    NORMAL(2),
    COMMUNICATIONS_INTERRUPTED(3),
    PARTNER_DOWN(4),
    POTENTIAL_CONFLICT(5),
    RECOVER(6),
    PAUSED(7),
    SHUTDOWN(8),
    RECOVER_DONE(9),
    RESOLUTION_INTERRUPTED(10),
    CONFLICT_DONE(11),
    RECOVER_WAIT(254);

    private final int code;

    FailoverState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<FailoverState> of(int code) {
        for (FailoverState s : values()) {
            if (s.code == code) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The state of a label such as COMMUNICATIONS-INTERRUPTED. */
    public static FailoverState ofLabel(String label) {
        return valueOf(label.replace('-', '_'));
    }

    /** The name operators know: NORMAL, COMMUNICATIONS-INTERRUPTED, ... */
    public String label() {
        return name().replace('_', '-');
    }
}

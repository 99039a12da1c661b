package dev.tandem.protocol.failover;

import java.util.Optional;

/** Failover message types (draft-ietf-dhc-failover-12 §6.1). */
public enum MessageType {
    POOLREQ(1),
    POOLRESP(2),
    BNDUPD(3),
    BNDACK(4),
    CONNECT(5),
    CONNECTACK(6),
    UPDREQALL(7),
    UPDDONE(8),
    UPDREQ(9),
    STATE(10),
    CONTACT(11),
    DISCONNECT(12);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<MessageType> of(int code) {
        return code >= 1 && code <= 12 ? Optional.of(values()[code - 1]) : Optional.empty();
    }
}

package dev.tandem.protocol.dhcp;

import java.util.Optional;

/** DHCP message types, option 53 (RFC 2132 §9.6). */
public enum MessageType {
    DISCOVER(1),
    OFFER(2),
    REQUEST(3),
    DECLINE(4),
    ACK(5),
    NAK(6),
    RELEASE(7),
    INFORM(8);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<MessageType> of(int code) {
        for (MessageType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}

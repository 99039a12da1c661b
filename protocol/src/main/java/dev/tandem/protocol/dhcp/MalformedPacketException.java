package dev.tandem.protocol.dhcp;

/**
 * The one exception decoding throws: the bytes are not a DHCPv4 message this codec accepts. The reason is a small,
 * fixed set so that a receiver can count drops by it.
 */
public final class MalformedPacketException extends RuntimeException {

    /** Why a packet was refused; the metric tag is {@link #tag()}. */
    public enum Reason {
        TOO_SHORT,
        BAD_OP,
        BAD_HARDWARE_LENGTH,
        BAD_MAGIC_COOKIE,
        TRUNCATED_OPTION,
        BAD_OVERLOAD,
        BAD_OPTION_VALUE;

        public String tag() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    private final Reason reason;

    public MalformedPacketException(Reason reason, String detail) {
        super(reason.tag() + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

package dev.tandem.protocol.failover;

/** The one exception failover decoding throws; the reason is a small fixed set a receiver counts drops by. */
public final class MalformedMessageException extends RuntimeException {

    /** Why a message was refused. */
    public enum Reason {
        BAD_LENGTH,
        BAD_PAYLOAD_OFFSET,
        TRUNCATED_OPTION,
        BAD_OPTION_LENGTH;

        public String tag() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    private final Reason reason;

    public MalformedMessageException(Reason reason, String detail) {
        super(reason.tag() + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

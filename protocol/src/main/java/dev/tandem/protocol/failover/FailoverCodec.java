package dev.tandem.protocol.failover;

import dev.tandem.protocol.failover.FailoverMessage.Option;
import dev.tandem.protocol.failover.MalformedMessageException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The failover wire format (draft-ietf-dhc-failover-12 §6): a 12-octet header (length, type, payload offset, time,
 * xid) and options as code/length/data, big-endian. Encoding always writes payload offset 12 as ISC dhcpd does (the
 * draft's "8" contradicts its own header layout and breaks ISC). Decoding accepts any offset of at least 12 and skips
 * the extra header octets.
 */
public final class FailoverCodec {

    public static final int HEADER_LENGTH = 12;
    /** ISC dhcpd refuses longer messages (DHCP_FAILOVER_MAX_MESSAGE_SIZE). */
    public static final int MAX_LENGTH = 2048;

    private FailoverCodec() {}

    public static byte[] encode(FailoverMessage message) {
        int length = HEADER_LENGTH;
        for (Option o : message.options()) {
            length += 4 + o.length();
        }
        if (length > MAX_LENGTH) {
            throw new IllegalArgumentException("failover message of " + length + " octets exceeds " + MAX_LENGTH);
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        out.putShort((short) length);
        out.put((byte) message.type());
        out.put((byte) HEADER_LENGTH);
        out.putInt((int) message.time());
        out.putInt((int) message.xid());
        for (Option o : message.options()) {
            out.putShort((short) o.code());
            out.putShort((short) o.length());
            out.put(o.data());
        }
        return out.array();
    }

    /** Decodes one whole message (its length field must equal the array's length). */
    public static FailoverMessage decode(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH) {
            throw new MalformedMessageException(Reason.BAD_LENGTH, bytes.length + " octets is shorter than the header");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int length = in.getShort() & 0xffff;
        if (length != bytes.length || length > MAX_LENGTH) {
            throw new MalformedMessageException(
                    Reason.BAD_LENGTH, "length field " + length + " for " + bytes.length + " octets");
        }
        int type = in.get() & 0xff;
        int offset = in.get() & 0xff;
        if (offset < HEADER_LENGTH || offset > length) {
            throw new MalformedMessageException(Reason.BAD_PAYLOAD_OFFSET, "payload offset " + offset);
        }
        long time = in.getInt() & 0xffffffffL;
        long xid = in.getInt() & 0xffffffffL;
        in.position(offset);
        List<Option> options = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < 4) {
                throw new MalformedMessageException(Reason.TRUNCATED_OPTION, "option header at " + in.position());
            }
            int code = in.getShort() & 0xffff;
            int len = in.getShort() & 0xffff;
            if (len > in.remaining()) {
                throw new MalformedMessageException(
                        Reason.TRUNCATED_OPTION, "option " + code + " of " + len + " octets runs past the message");
            }
            byte[] data = Arrays.copyOfRange(bytes, in.position(), in.position() + len);
            in.position(in.position() + len);
            int fixed = FailoverOption.of(code).map(FailoverOption::length).orElse(-1);
            if (fixed >= 0 && fixed != len) {
                throw new MalformedMessageException(
                        Reason.BAD_OPTION_LENGTH, "option " + code + " has " + len + " octets, not " + fixed);
            }
            options.add(new Option(code, data));
        }
        return new FailoverMessage(type, time, xid, options);
    }

    /** The total length announced by a header's first two octets. */
    public static int announcedLength(byte high, byte low) {
        return ((high & 0xff) << 8) | (low & 0xff);
    }
}

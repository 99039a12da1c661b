package dev.tandem.protocol.failover;

import dev.tandem.protocol.net.Ipv4;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One failover message (draft-ietf-dhc-failover-12 §6): type, sender's time, transaction id and options in wire
 * order. Immutable; the type is kept as its code so that unknown types survive decoding. Times and xids are unsigned
 * 32-bit values held in a {@code long}.
 */
public record FailoverMessage(int type, long time, long xid, List<Option> options) {

    public FailoverMessage {
        options = List.copyOf(options);
    }

    public static FailoverMessage of(MessageType type, long time, long xid, List<Option> options) {
        return new FailoverMessage(type.code(), time, xid, options);
    }

    public Optional<MessageType> messageType() {
        return MessageType.of(type);
    }

    public FailoverMessage withXid(long newXid) {
        return new FailoverMessage(type, time, newXid, options);
    }

    public FailoverMessage withTime(long newTime) {
        return new FailoverMessage(type, newTime, xid, options);
    }

    public FailoverMessage withOptions(List<Option> newOptions) {
        return new FailoverMessage(type, time, xid, newOptions);
    }

    public Optional<byte[]> bytes(FailoverOption option) {
        for (Option o : options) {
            if (o.code() == option.code()) {
                return Optional.of(o.data().clone());
            }
        }
        return Optional.empty();
    }

    public boolean has(FailoverOption option) {
        return options.stream().anyMatch(o -> o.code() == option.code());
    }

    /** How often the option occurs; a repeated option is legal in the draft's batched BNDUPD, fatal for ISC. */
    public long count(FailoverOption option) {
        return options.stream().filter(o -> o.code() == option.code()).count();
    }

    /** An unsigned 8-bit option value; empty if absent or not one octet. */
    public Optional<Integer> u8(FailoverOption option) {
        return bytes(option).filter(b -> b.length == 1).map(b -> b[0] & 0xff);
    }

    /** An unsigned 32-bit option value; empty if absent or not four octets. */
    public Optional<Long> u32(FailoverOption option) {
        return bytes(option)
                .filter(b -> b.length == 4)
                .map(b -> ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL));
    }

    public Optional<Ipv4> address(FailoverOption option) {
        return bytes(option).filter(b -> b.length == 4).map(b -> Ipv4.of(b, 0));
    }

    public Optional<String> text(FailoverOption option) {
        return bytes(option).map(b -> new String(b, StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(messageType().map(Enum::name).orElse("type-" + type));
        sb.append(" xid=").append(xid).append(" time=").append(time);
        for (Option o : options) {
            sb.append(' ').append(o);
        }
        return sb.toString();
    }

    /** One option: code and raw data. Equality is by content. */
    public record Option(int code, byte[] data) {

        public Option {
            data = data.clone();
        }

        public static Option u8(FailoverOption option, int value) {
            return new Option(option.code(), new byte[] {(byte) value});
        }

        public static Option u16(FailoverOption option, int value) {
            return new Option(option.code(), new byte[] {(byte) (value >>> 8), (byte) value});
        }

        public static Option u32(FailoverOption option, long value) {
            return new Option(
                    option.code(),
                    new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        }

        public static Option bytes(FailoverOption option, byte[] value) {
            return new Option(option.code(), value);
        }

        public static Option text(FailoverOption option, String value) {
            return new Option(option.code(), value.getBytes(StandardCharsets.US_ASCII));
        }

        public static Option address(FailoverOption option, Ipv4 value) {
            return new Option(option.code(), value.toBytes());
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        public int length() {
            return data.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Option other && other.code == code && Arrays.equals(other.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * code + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            String name = FailoverOption.of(code).map(Enum::name).orElse("option-" + code);
            return name + "=" + HexFormat.of().formatHex(data);
        }
    }

    /** Builds option lists in wire order. */
    public static final class Options {
        private final List<Option> list = new ArrayList<>();

        public Options add(Option option) {
            list.add(option);
            return this;
        }

        public List<Option> list() {
            return List.copyOf(list);
        }
    }
}

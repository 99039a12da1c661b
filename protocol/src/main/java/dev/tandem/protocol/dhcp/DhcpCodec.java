package dev.tandem.protocol.dhcp;

import dev.tandem.protocol.dhcp.MalformedPacketException.Reason;
import dev.tandem.protocol.net.Ipv4;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** DHCPv4 wire format (RFC 2131 §2, RFC 2132, RFC 3396). Stateless. */
public final class DhcpCodec {

    /** Fixed header before the options (RFC 2131 figure 1), without the magic cookie. */
    public static final int HEADER_LENGTH = 236;
    /** RFC 2131 §3: 99.130.83.99. */
    public static final int MAGIC_COOKIE = 0x63825363;
    /** RFC 2131 §2: every client must accept messages of 576 octets. */
    public static final int DEFAULT_MAX_MESSAGE = 576;
    /** RFC 1542 §3.3 minimum BOOTP message, still expected by some relays and clients. */
    public static final int MIN_MESSAGE = 300;

    private static final int OPTIONS_OFFSET = HEADER_LENGTH + 4;
    private static final int SNAME_OFFSET = 44;
    private static final int FILE_OFFSET = 108;

    private DhcpCodec() {}

    public static DhcpMessage decode(byte[] packet) {
        return decode(packet, 0, packet.length);
    }

    /** Decodes; throws only {@link MalformedPacketException}. */
    public static DhcpMessage decode(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buf.length) {
            throw new MalformedPacketException(Reason.TOO_SHORT, "bad buffer bounds");
        }
        if (length < OPTIONS_OFFSET) {
            throw new MalformedPacketException(Reason.TOO_SHORT, length + " bytes, need at least " + OPTIONS_OFFSET);
        }
        byte[] p = Arrays.copyOfRange(buf, offset, offset + length);
        int op = p[0] & 0xff;
        if (op != DhcpMessage.BOOTREQUEST && op != DhcpMessage.BOOTREPLY) {
            throw new MalformedPacketException(Reason.BAD_OP, "op " + op);
        }
        int hlen = p[2] & 0xff;
        if (hlen > 16) {
            throw new MalformedPacketException(Reason.BAD_HARDWARE_LENGTH, "hlen " + hlen);
        }
        if (Ipv4.of(p, HEADER_LENGTH).bits() != MAGIC_COOKIE) {
            throw new MalformedPacketException(Reason.BAD_MAGIC_COOKIE, "no DHCP magic cookie");
        }

        LinkedHashMap<Integer, byte[]> options = new LinkedHashMap<>();
        parseOptions(p, OPTIONS_OFFSET, p.length, options, "options");
        byte[] sname = Arrays.copyOfRange(p, SNAME_OFFSET, SNAME_OFFSET + 64);
        byte[] file = Arrays.copyOfRange(p, FILE_OFFSET, FILE_OFFSET + 128);
        byte[] overload = options.remove(DhcpOption.OPTION_OVERLOAD.code());
        if (overload != null) {
            // RFC 3396 §7 / RFC 2131 §4.1: options field first, then file, then sname.
            if (overload.length != 1 || overload[0] < 1 || overload[0] > 3) {
                throw new MalformedPacketException(Reason.BAD_OVERLOAD, "option 52 value must be 1, 2 or 3");
            }
            if ((overload[0] & 1) != 0) {
                parseOptions(p, FILE_OFFSET, FILE_OFFSET + 128, options, "file");
                file = new byte[128];
            }
            if ((overload[0] & 2) != 0) {
                parseOptions(p, SNAME_OFFSET, SNAME_OFFSET + 64, options, "sname");
                sname = new byte[64];
            }
            options.remove(DhcpOption.OPTION_OVERLOAD.code());
        }

        return DhcpMessage.builder()
                .op(op)
                .htype(p[1] & 0xff)
                .hlen(hlen)
                .hops(p[3] & 0xff)
                .xid(Ipv4.of(p, 4).bits())
                .secs(((p[8] & 0xff) << 8) | (p[9] & 0xff))
                .flags(((p[10] & 0xff) << 8) | (p[11] & 0xff))
                .ciaddr(Ipv4.of(p, 12))
                .yiaddr(Ipv4.of(p, 16))
                .siaddr(Ipv4.of(p, 20))
                .giaddr(Ipv4.of(p, 24))
                .chaddr(Arrays.copyOfRange(p, 28, 44))
                .sname(sname)
                .file(file)
                .options(DhcpMessage.optionsOf(options))
                .build();
    }

    /** RFC 3396 §6: instances of one code are concatenated in order of appearance. */
    private static void parseOptions(byte[] p, int from, int to, Map<Integer, byte[]> into, String area) {
        int i = from;
        while (i < to) {
            int code = p[i] & 0xff;
            if (code == DhcpOption.END) {
                return;
            }
            if (code == DhcpOption.PAD) {
                i++;
                continue;
            }
            if (i + 1 >= to) {
                throw new MalformedPacketException(
                        Reason.TRUNCATED_OPTION, "option " + code + " in " + area + " has no length");
            }
            int len = p[i + 1] & 0xff;
            if (i + 2 + len > to) {
                throw new MalformedPacketException(
                        Reason.TRUNCATED_OPTION, "option " + code + " in " + area + " runs past the end");
            }
            byte[] value = Arrays.copyOfRange(p, i + 2, i + 2 + len);
            into.merge(code, value, DhcpCodec::concat);
            i += 2 + len;
        }
        // A missing END option is tolerated: many embedded clients omit it when the packet ends with the options.
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    public static byte[] encode(DhcpMessage m) {
        return encode(m, DEFAULT_MAX_MESSAGE);
    }

    /**
     * Encodes so the message fits in {@code maxLength} octets where it can: options longer than 255 octets are split
     * (RFC 3396), relay agent information goes last (RFC 3046 §2.1), and when the options field is full the file and
     * then sname fields carry the rest (option overload, RFC 2132 §9.3) if they are empty. Messages are padded to 300
     * octets (RFC 1542).
     */
    public static byte[] encode(DhcpMessage m, int maxLength) {
        List<byte[]> chunks = chunks(m.options());
        int chunkBytes = chunks.stream().mapToInt(c -> c.length).sum();
        int mainCapacity = Math.max(maxLength, MIN_MESSAGE) - OPTIONS_OFFSET - 1; // one octet for END
        boolean namesFree = isZero(m.sname()) && isZero(m.file());

        ByteArrayOutputStream main = new ByteArrayOutputStream();
        byte[] file = m.file();
        byte[] sname = m.sname();
        if (chunkBytes <= mainCapacity || !namesFree) {
            chunks.forEach(main::writeBytes);
        } else {
            // Overload: 3 octets of the options field carry option 52.
            ByteArrayOutputStream[] areas = {
                new ByteArrayOutputStream(), new ByteArrayOutputStream(), new ByteArrayOutputStream()
            };
            int[] capacity = {mainCapacity - 3, 127, 63};
            int area = 0;
            for (byte[] chunk : chunks) {
                while (area < 2 && areas[area].size() + chunk.length > capacity[area]) {
                    area++;
                }
                areas[area].writeBytes(chunk); // the last area may overflow maxLength: better large than lost
            }
            boolean useFile = areas[1].size() > 0;
            boolean useSname = areas[2].size() > 0;
            if (useSname && areas[2].size() > capacity[2]) {
                // does not fit even with overload: send everything in the options field
                chunks.forEach(main::writeBytes);
            } else {
                int overload = (useFile ? 1 : 0) | (useSname ? 2 : 0);
                main.write(DhcpOption.OPTION_OVERLOAD.code());
                main.write(1);
                main.write(overload);
                main.writeBytes(areas[0].toByteArray());
                if (useFile) {
                    file = terminated(areas[1].toByteArray(), 128);
                }
                if (useSname) {
                    sname = terminated(areas[2].toByteArray(), 64);
                }
            }
        }
        main.write(DhcpOption.END);

        byte[] opts = main.toByteArray();
        byte[] out = new byte[Math.max(MIN_MESSAGE, OPTIONS_OFFSET + opts.length)];
        out[0] = (byte) m.op();
        out[1] = (byte) m.htype();
        out[2] = (byte) m.hlen();
        out[3] = (byte) m.hops();
        new Ipv4(m.xid()).writeTo(out, 4);
        out[8] = (byte) (m.secs() >>> 8);
        out[9] = (byte) m.secs();
        out[10] = (byte) (m.flags() >>> 8);
        out[11] = (byte) m.flags();
        m.ciaddr().writeTo(out, 12);
        m.yiaddr().writeTo(out, 16);
        m.siaddr().writeTo(out, 20);
        m.giaddr().writeTo(out, 24);
        System.arraycopy(m.chaddr(), 0, out, 28, 16);
        System.arraycopy(sname, 0, out, SNAME_OFFSET, 64);
        System.arraycopy(file, 0, out, FILE_OFFSET, 128);
        new Ipv4(MAGIC_COOKIE).writeTo(out, HEADER_LENGTH);
        System.arraycopy(opts, 0, out, OPTIONS_OFFSET, opts.length);
        return out;
    }

    /** Options as wire chunks of at most 255 value octets each, option 82 last. */
    private static List<byte[]> chunks(DhcpOptions options) {
        List<byte[]> out = new ArrayList<>();
        List<byte[]> last = new ArrayList<>();
        for (int code : options.codes()) {
            if (code == DhcpOption.OPTION_OVERLOAD.code()) {
                continue; // computed by the encoder
            }
            byte[] value = options.raw(code);
            List<byte[]> target = code == DhcpOption.RELAY_AGENT_INFORMATION.code() ? last : out;
            int pos = 0;
            do {
                int len = Math.min(255, value.length - pos);
                byte[] chunk = new byte[2 + len];
                chunk[0] = (byte) code;
                chunk[1] = (byte) len;
                System.arraycopy(value, pos, chunk, 2, len);
                target.add(chunk);
                pos += len;
            } while (pos < value.length);
        }
        out.addAll(last);
        return out;
    }

    private static byte[] terminated(byte[] options, int size) {
        byte[] out = new byte[size];
        System.arraycopy(options, 0, out, 0, options.length);
        out[options.length] = (byte) DhcpOption.END;
        return out;
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}

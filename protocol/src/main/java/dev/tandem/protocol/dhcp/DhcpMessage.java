package dev.tandem.protocol.dhcp;

import dev.tandem.protocol.net.Ipv4;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * A DHCPv4 message (RFC 2131 §2, figure 1). Immutable; change it through {@link #toBuilder()}. Fixed-size fields keep
 * their full width (chaddr 16, sname 64, file 128 bytes).
 */
public final class DhcpMessage {

    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    /** RFC 2131 §2: the leftmost bit of flags asks for a broadcast reply. */
    public static final int FLAG_BROADCAST = 0x8000;

    private final int op;
    private final int htype;
    private final int hlen;
    private final int hops;
    private final int xid;
    private final int secs;
    private final int flags;
    private final Ipv4 ciaddr;
    private final Ipv4 yiaddr;
    private final Ipv4 siaddr;
    private final Ipv4 giaddr;
    private final byte[] chaddr;
    private final byte[] sname;
    private final byte[] file;
    private final DhcpOptions options;

    private DhcpMessage(Builder b) {
        this.op = b.op;
        this.htype = b.htype;
        this.hlen = b.hlen;
        this.hops = b.hops;
        this.xid = b.xid;
        this.secs = b.secs;
        this.flags = b.flags;
        this.ciaddr = b.ciaddr;
        this.yiaddr = b.yiaddr;
        this.siaddr = b.siaddr;
        this.giaddr = b.giaddr;
        this.chaddr = b.chaddr.clone();
        this.sname = b.sname.clone();
        this.file = b.file.clone();
        this.options = b.options;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.op = op;
        b.htype = htype;
        b.hlen = hlen;
        b.hops = hops;
        b.xid = xid;
        b.secs = secs;
        b.flags = flags;
        b.ciaddr = ciaddr;
        b.yiaddr = yiaddr;
        b.siaddr = siaddr;
        b.giaddr = giaddr;
        b.chaddr = chaddr.clone();
        b.sname = sname.clone();
        b.file = file.clone();
        b.options = options;
        return b;
    }

    /**
     * Starts a reply to this request (RFC 2131 §4.3.1 table 3): xid, flags, giaddr, htype, hlen and chaddr copied; the
     * relay agent information (RFC 3046 §2.2) and client identifier (RFC 6842) options echoed.
     */
    public Builder replyBuilder(MessageType type) {
        Builder b = new Builder()
                .op(BOOTREPLY)
                .htype(htype)
                .hlen(hlen)
                .xid(xid)
                .flags(flags)
                .giaddr(giaddr)
                .chaddr(chaddr);
        b.option(DhcpOption.MESSAGE_TYPE, new byte[] {(byte) type.code()});
        options.get(DhcpOption.CLIENT_IDENTIFIER).ifPresent(v -> b.option(DhcpOption.CLIENT_IDENTIFIER, v));
        options.get(DhcpOption.RELAY_AGENT_INFORMATION).ifPresent(v -> b.option(DhcpOption.RELAY_AGENT_INFORMATION, v));
        return b;
    }

    public int op() {
        return op;
    }

    public int htype() {
        return htype;
    }

    public int hlen() {
        return hlen;
    }

    public int hops() {
        return hops;
    }

    public int xid() {
        return xid;
    }

    public int secs() {
        return secs;
    }

    public int flags() {
        return flags;
    }

    public boolean broadcastFlag() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    public Ipv4 ciaddr() {
        return ciaddr;
    }

    public Ipv4 yiaddr() {
        return yiaddr;
    }

    public Ipv4 siaddr() {
        return siaddr;
    }

    public Ipv4 giaddr() {
        return giaddr;
    }

    /** All 16 bytes of chaddr. */
    public byte[] chaddr() {
        return chaddr.clone();
    }

    /** The first hlen bytes of chaddr. */
    public byte[] hardwareAddress() {
        return Arrays.copyOf(chaddr, Math.min(hlen, 16));
    }

    public byte[] sname() {
        return sname.clone();
    }

    public byte[] file() {
        return file.clone();
    }

    public DhcpOptions options() {
        return options;
    }

    // Typed accessors. A value of the wrong size reads as absent: the packet is usable, the option is not.

    public Optional<MessageType> messageType() {
        return options.get(DhcpOption.MESSAGE_TYPE)
                .filter(v -> v.length == 1)
                .flatMap(v -> MessageType.of(v[0] & 0xff));
    }

    public Optional<Ipv4> requestedAddress() {
        return ipv4(DhcpOption.REQUESTED_ADDRESS);
    }

    public Optional<Ipv4> serverIdentifier() {
        return ipv4(DhcpOption.SERVER_IDENTIFIER);
    }

    public Optional<Ipv4> subnetSelection() {
        return ipv4(DhcpOption.SUBNET_SELECTION);
    }

    public Optional<byte[]> clientIdentifier() {
        return options.get(DhcpOption.CLIENT_IDENTIFIER).filter(v -> v.length >= 1);
    }

    public Optional<String> hostName() {
        return options.get(DhcpOption.HOST_NAME).filter(v -> v.length >= 1).map(OptionType.STRING::format);
    }

    /** The client FQDN option (RFC 4702) as sent: flags, two rcodes, the name. */
    public Optional<byte[]> clientFqdn() {
        return options.get(DhcpOption.CLIENT_FQDN).filter(v -> v.length >= 3);
    }

    public Optional<String> vendorClass() {
        return options.get(DhcpOption.VENDOR_CLASS_IDENTIFIER)
                .filter(v -> v.length >= 1)
                .map(OptionType.STRING::format);
    }

    public Optional<Long> leaseTime() {
        return options.get(DhcpOption.LEASE_TIME).filter(v -> v.length == 4).map(v -> Ipv4.of(v, 0)
                .unsigned());
    }

    public Optional<Integer> maxMessageSize() {
        return options.get(DhcpOption.MAX_MESSAGE_SIZE)
                .filter(v -> v.length == 2)
                .map(v -> ((v[0] & 0xff) << 8) | (v[1] & 0xff));
    }

    public Optional<byte[]> parameterRequestList() {
        return options.get(DhcpOption.PARAMETER_REQUEST_LIST).filter(v -> v.length >= 1);
    }

    public Optional<SubOptions> relayAgentInformation() {
        return options.get(DhcpOption.RELAY_AGENT_INFORMATION).flatMap(v -> {
            try {
                return Optional.of(SubOptions.parse(v));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }

    /** RFC 3527 link selection sub-option of option 82. */
    public Optional<Ipv4> linkSelection() {
        return relayAgentInformation()
                .flatMap(s -> s.get(SubOptions.LINK_SELECTION))
                .filter(v -> v.length == 4)
                .map(v -> Ipv4.of(v, 0));
    }

    private Optional<Ipv4> ipv4(DhcpOption option) {
        return options.get(option).filter(v -> v.length == 4).map(v -> Ipv4.of(v, 0));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpMessage m
                && op == m.op
                && htype == m.htype
                && hlen == m.hlen
                && hops == m.hops
                && xid == m.xid
                && secs == m.secs
                && flags == m.flags
                && ciaddr.equals(m.ciaddr)
                && yiaddr.equals(m.yiaddr)
                && siaddr.equals(m.siaddr)
                && giaddr.equals(m.giaddr)
                && Arrays.equals(chaddr, m.chaddr)
                && Arrays.equals(sname, m.sname)
                && Arrays.equals(file, m.file)
                && options.equals(m.options);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * xid + Arrays.hashCode(chaddr)) + options.hashCode();
    }

    @Override
    public String toString() {
        return "DhcpMessage{" + messageType().map(Enum::name).orElse("BOOTP") + " xid=" + Integer.toHexString(xid)
                + " chaddr=" + HexFormat.ofDelimiter(":").formatHex(hardwareAddress()) + " ciaddr=" + ciaddr
                + " yiaddr=" + yiaddr + " giaddr=" + giaddr + " options=" + options + "}";
    }

    /** Builder; unset addresses are 0.0.0.0 and unset fields zero. */
    public static final class Builder {
        private int op = BOOTREQUEST;
        private int htype = 1;
        private int hlen = 6;
        private int hops;
        private int xid;
        private int secs;
        private int flags;
        private Ipv4 ciaddr = Ipv4.ANY;
        private Ipv4 yiaddr = Ipv4.ANY;
        private Ipv4 siaddr = Ipv4.ANY;
        private Ipv4 giaddr = Ipv4.ANY;
        private byte[] chaddr = new byte[16];
        private byte[] sname = new byte[64];
        private byte[] file = new byte[128];
        private DhcpOptions options = DhcpOptions.EMPTY;

        private Builder() {}

        public Builder op(int v) {
            op = u8(v, "op");
            return this;
        }

        public Builder htype(int v) {
            htype = u8(v, "htype");
            return this;
        }

        public Builder hlen(int v) {
            if (v < 0 || v > 16) {
                throw new IllegalArgumentException("hlen must be 0..16, was " + v);
            }
            hlen = v;
            return this;
        }

        public Builder hops(int v) {
            hops = u8(v, "hops");
            return this;
        }

        public Builder xid(int v) {
            xid = v;
            return this;
        }

        public Builder secs(int v) {
            secs = u16(v, "secs");
            return this;
        }

        public Builder flags(int v) {
            flags = u16(v, "flags");
            return this;
        }

        public Builder ciaddr(Ipv4 v) {
            ciaddr = v;
            return this;
        }

        public Builder yiaddr(Ipv4 v) {
            yiaddr = v;
            return this;
        }

        public Builder siaddr(Ipv4 v) {
            siaddr = v;
            return this;
        }

        public Builder giaddr(Ipv4 v) {
            giaddr = v;
            return this;
        }

        /** Sets chaddr; shorter input is zero-padded to 16 bytes. Does not change hlen. */
        public Builder chaddr(byte[] v) {
            if (v.length > 16) {
                throw new IllegalArgumentException("chaddr longer than 16 bytes");
            }
            chaddr = Arrays.copyOf(v, 16);
            return this;
        }

        public Builder sname(byte[] v) {
            sname = fixed(v, 64, "sname");
            return this;
        }

        public Builder sname(String v) {
            return sname(v.getBytes(StandardCharsets.US_ASCII));
        }

        public Builder file(byte[] v) {
            file = fixed(v, 128, "file");
            return this;
        }

        public Builder file(String v) {
            return file(v.getBytes(StandardCharsets.US_ASCII));
        }

        public Builder options(DhcpOptions v) {
            options = v;
            return this;
        }

        public Builder option(int code, byte[] value) {
            options = options.with(code, value);
            return this;
        }

        public Builder option(DhcpOption option, byte[] value) {
            return option(option.code(), value);
        }

        public Builder option(DhcpOption option, String text) {
            return option(option.code(), option.type().parse(text));
        }

        public Builder withoutOption(int code) {
            options = options.without(code);
            return this;
        }

        public Builder messageType(MessageType type) {
            return option(DhcpOption.MESSAGE_TYPE, new byte[] {(byte) type.code()});
        }

        public DhcpMessage build() {
            return new DhcpMessage(this);
        }

        private static int u8(int v, String field) {
            if (v < 0 || v > 0xff) {
                throw new IllegalArgumentException(field + " must be 0..255, was " + v);
            }
            return v;
        }

        private static int u16(int v, String field) {
            if (v < 0 || v > 0xffff) {
                throw new IllegalArgumentException(field + " must be 0..65535, was " + v);
            }
            return v;
        }

        private static byte[] fixed(byte[] v, int size, String field) {
            if (v.length > size) {
                throw new IllegalArgumentException(field + " longer than " + size + " bytes");
            }
            return Arrays.copyOf(v, size);
        }
    }

    static DhcpOptions optionsOf(LinkedHashMap<Integer, byte[]> values) {
        return DhcpOptions.wrap(values);
    }
}

package dev.tandem.protocol.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 address as its 32 bits. Immutable, ordered as unsigned numbers. */
public record Ipv4(int bits) implements Comparable<Ipv4> {

    public static final Ipv4 ANY = new Ipv4(0);
    public static final Ipv4 BROADCAST = new Ipv4(-1);

    /** Parses dotted-quad notation strictly: four decimal octets 0..255, nothing else. */
    public static Ipv4 parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("IPv4 address is missing");
        }
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            bits = (bits << 8) | octet;
        }
        return new Ipv4(bits);
    }

    public static Ipv4 of(byte[] bytes, int offset) {
        return new Ipv4(((bytes[offset] & 0xff) << 24)
                | ((bytes[offset + 1] & 0xff) << 16)
                | ((bytes[offset + 2] & 0xff) << 8)
                | (bytes[offset + 3] & 0xff));
    }

    public static Ipv4 of(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        return of(address.getAddress(), 0);
    }

    public static Ipv4 ofUnsigned(long value) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException("out of IPv4 range: " + value);
        }
        return new Ipv4((int) value);
    }

    public long unsigned() {
        return bits & 0xffffffffL;
    }

    public boolean isAny() {
        return bits == 0;
    }

    public Ipv4 next() {
        return new Ipv4(bits + 1);
    }

    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    public void writeTo(byte[] out, int offset) {
        out[offset] = (byte) (bits >>> 24);
        out[offset + 1] = (byte) (bits >>> 16);
        out[offset + 2] = (byte) (bits >>> 8);
        out[offset + 3] = (byte) bits;
    }

    public InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 bytes
        }
    }

    @Override
    public int compareTo(Ipv4 other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    @Override
    public String toString() {
        return ((bits >>> 24) & 0xff) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "."
                + (bits & 0xff);
    }
}

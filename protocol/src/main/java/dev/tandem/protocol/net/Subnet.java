package dev.tandem.protocol.net;

/** An IPv4 subnet in CIDR form; the network address has no host bits set. */
public record Subnet(Ipv4 network, int prefixLength) {

    public Subnet {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32, was " + prefixLength);
        }
        if ((network.bits() & ~mask(prefixLength)) != 0) {
            throw new IllegalArgumentException("host bits set in " + network + "/" + prefixLength + " (network is "
                    + new Ipv4(network.bits() & mask(prefixLength)) + ")");
        }
    }

    /** Parses "a.b.c.d/len". */
    public static Subnet parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("subnet is missing");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("subnet must be in CIDR form a.b.c.d/len: '" + text + "'");
        }
        String len = text.substring(slash + 1).trim();
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("bad prefix length in '" + text + "'");
        }
        return new Subnet(Ipv4.parse(text.substring(0, slash)), Integer.parseInt(len));
    }

    private static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public Ipv4 mask() {
        return new Ipv4(mask(prefixLength));
    }

    public Ipv4 broadcast() {
        return new Ipv4(network.bits() | ~mask(prefixLength));
    }

    public boolean contains(Ipv4 address) {
        return (address.bits() & mask(prefixLength)) == network.bits();
    }

    public boolean overlaps(Subnet other) {
        int shorter = Math.min(prefixLength, other.prefixLength);
        return (network.bits() & mask(shorter)) == (other.network.bits() & mask(shorter));
    }

    /** Number of addresses, network and broadcast included. */
    public long size() {
        return 1L << (32 - prefixLength);
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }
}

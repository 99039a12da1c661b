package dev.tandem.protocol.config;

import dev.tandem.protocol.net.Ipv4;
import dev.tandem.protocol.net.Subnet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated scope: typed, with options already encoded to wire bytes (in configuration order) and the pool given as
 * disjoint, sorted address ranges with the exclusions removed.
 */
public record ScopeConfig(
        Subnet subnet,
        List<AddressRange> pool,
        long leaseTime,
        long renewalTime,
        long rebindingTime,
        Map<Integer, byte[]> options,
        List<ReservationConfig> reservations,
        DdnsConfig ddns) {

    /** A scope without dynamic DNS. */
    public ScopeConfig(
            Subnet subnet,
            List<AddressRange> pool,
            long leaseTime,
            long renewalTime,
            long rebindingTime,
            Map<Integer, byte[]> options,
            List<ReservationConfig> reservations) {
        this(subnet, pool, leaseTime, renewalTime, rebindingTime, options, reservations, null);
    }

    public String id() {
        return subnet.toString();
    }

    public long poolSize() {
        return pool.stream().mapToLong(AddressRange::size).sum();
    }

    public boolean inPool(Ipv4 address) {
        return pool.stream().anyMatch(r -> r.contains(address));
    }

    /** The reservation for a client, matched by client identifier first, then hardware address. */
    public Optional<ReservationConfig> reservationFor(String clientIdHex, String hardwareAddressHex) {
        if (clientIdHex != null) {
            for (ReservationConfig r : reservations) {
                if (clientIdHex.equals(r.clientId())) {
                    return Optional.of(r);
                }
            }
        }
        if (hardwareAddressHex != null) {
            for (ReservationConfig r : reservations) {
                if (hardwareAddressHex.equals(r.hardwareAddress())) {
                    return Optional.of(r);
                }
            }
        }
        return Optional.empty();
    }

    public Optional<ReservationConfig> reservationOf(Ipv4 address) {
        return reservations.stream().filter(r -> r.address().equals(address)).findFirst();
    }

    /** Addresses first..last, both included. */
    public record AddressRange(Ipv4 first, Ipv4 last) {
        public long size() {
            return last.unsigned() - first.unsigned() + 1;
        }

        public boolean contains(Ipv4 address) {
            return address.compareTo(first) >= 0 && address.compareTo(last) <= 0;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }

    /**
     * Validated dynamic DNS settings: zone and suffix names are lower case, absolute (ending in a dot); the TTL is
     * resolved against the lease time.
     *
     * @param forwardZone null: no A records
     * @param reverseZone null: no PTR records
     * @param key TSIG key name, null: unsigned
     */
    public record DdnsConfig(
            String forwardZone,
            String reverseZone,
            Ipv4 server,
            int port,
            String key,
            String qualifyingSuffix,
            boolean overrideClientUpdate,
            boolean overrideNoUpdate,
            long ttl) {}

    /** Hardware address and client identifier are lower-case hex without separators. */
    public record ReservationConfig(String hardwareAddress, String clientId, Ipv4 address, String hostname) {}
}

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
        List<ReservationConfig> reservations) {

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

    /** Hardware address and client identifier are lower-case hex without separators. */
    public record ReservationConfig(String hardwareAddress, String clientId, Ipv4 address, String hostname) {}
}

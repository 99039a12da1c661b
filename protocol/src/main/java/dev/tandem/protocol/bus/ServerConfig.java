package dev.tandem.protocol.bus;

import java.util.List;
import java.util.Map;

/**
 * The desired configuration of one server (schema {@code server-config.v1}), published to the compacted
 * {@link Topics#CONFIG} topic keyed by server name. A service applies all of it or none of it.
 *
 * @param revision increases with every change; a service ignores a revision older than the one it runs
 * @param serverIdentifier the address this server puts in option 54 and clients unicast to
 * @param offerTimeout seconds an offered address stays held for the client
 * @param declineProbation seconds a declined address stays out of use
 */
public record ServerConfig(
        int version,
        String server,
        long revision,
        String serverIdentifier,
        long offerTimeout,
        long declineProbation,
        List<Scope> scopes) {

    public static final int VERSION = 1;

    /**
     * A scope: a subnet, the ranges it allocates from, what it leaves out, its times and options.
     *
     * @param leaseTime seconds
     * @param renewalTime T1 seconds; absent means half the lease time (RFC 2131 §4.4.5)
     * @param rebindingTime T2 seconds; absent means 7/8 of the lease time
     * @param options option name (or number) to its text value
     */
    public record Scope(
            String subnet,
            List<Range> ranges,
            List<Range> exclusions,
            long leaseTime,
            Long renewalTime,
            Long rebindingTime,
            Map<String, String> options,
            List<Reservation> reservations) {}

    /** Addresses from first to last, both included. */
    public record Range(String first, String last) {}

    /** A fixed address for a client named by hardware address or client identifier (hex). */
    public record Reservation(String hardwareAddress, String clientId, String address, String hostname) {}
}

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
 * @param failover the failover relationships of this server (absent: none); each scope is in at most one
 */
public record ServerConfig(
        int version,
        String server,
        long revision,
        String serverIdentifier,
        long offerTimeout,
        long declineProbation,
        List<Scope> scopes,
        List<Relationship> failover) {

    public static final int VERSION = 1;

    /** This configuration with other failover relationships. */
    public ServerConfig withFailover(List<Relationship> relationships) {
        return new ServerConfig(
                version, server, revision, serverIdentifier, offerTimeout, declineProbation, scopes, relationships);
    }

    /** The configuration without failover relationships. */
    public ServerConfig(
            int version,
            String server,
            long revision,
            String serverIdentifier,
            long offerTimeout,
            long declineProbation,
            List<Scope> scopes) {
        this(version, server, revision, serverIdentifier, offerTimeout, declineProbation, scopes, null);
    }

    /**
     * A failover relationship as this server sees it (draft-ietf-dhc-failover-12; Windows' and ISC's parameters).
     * Absent numbers take the defaults of {@code RelationshipConfig}.
     *
     * @param role primary or secondary: this server's role
     * @param mode load-balance or hot-standby
     * @param localAddress address the coordinator listens on and dials from
     * @param port TCP port the coordinator listens on (647)
     * @param peerAddress the partner coordinator's address
     * @param peerPort the partner's port (647)
     * @param mclt maximum client lead time, seconds (3600)
     * @param loadBalancePercent load-balance mode: the primary's share of clients and free addresses (50)
     * @param reservePercent hot-standby mode: the standby's share of free addresses (5)
     * @param safePeriod seconds in COMMUNICATIONS-INTERRUPTED before PARTNER-DOWN on its own; 0 or absent: never
     * @param maxResponseDelay seconds without a message from the partner before communication counts as lost (60)
     * @param maxUnackedUpdates binding updates the partner may have in flight to us (100)
     * @param loadBalanceMaxSeconds a client whose secs exceed this is answered by both servers; 0 turns it off (3)
     * @param sharedSecret authenticates every message when set (HMAC-SHA256): sealed ({@code v1:...}, see
     *     {@link dev.tandem.protocol.config.SecretBox}) as the admin API and the local stack publish it, so that only the
     *     coordinators, which hold the key, can read it; in clear only in a configuration file
     * @param scopes subnets of this server's scopes that belong to the relationship
     * @param tls the failover connection runs over mutually authenticated TLS (key and trust stores are settings
     *     of the coordinator, not of the configuration topic)
     */
    public record Relationship(
            String name,
            String role,
            String mode,
            String localAddress,
            Integer port,
            String peerAddress,
            Integer peerPort,
            Long mclt,
            Integer loadBalancePercent,
            Integer reservePercent,
            Long safePeriod,
            Long maxResponseDelay,
            Integer maxUnackedUpdates,
            Integer loadBalanceMaxSeconds,
            String sharedSecret,
            List<String> scopes,
            Boolean tls) {

        /** A relationship without TLS. */
        public Relationship(
                String name,
                String role,
                String mode,
                String localAddress,
                Integer port,
                String peerAddress,
                Integer peerPort,
                Long mclt,
                Integer loadBalancePercent,
                Integer reservePercent,
                Long safePeriod,
                Long maxResponseDelay,
                Integer maxUnackedUpdates,
                Integer loadBalanceMaxSeconds,
                String sharedSecret,
                List<String> scopes) {
            this(
                    name,
                    role,
                    mode,
                    localAddress,
                    port,
                    peerAddress,
                    peerPort,
                    mclt,
                    loadBalancePercent,
                    reservePercent,
                    safePeriod,
                    maxResponseDelay,
                    maxUnackedUpdates,
                    loadBalanceMaxSeconds,
                    sharedSecret,
                    scopes,
                    null);
        }

        /** This relationship with another shared secret (a coordinator's, opened from the sealed one). */
        public Relationship withSharedSecret(String secret) {
            return new Relationship(
                    name,
                    role,
                    mode,
                    localAddress,
                    port,
                    peerAddress,
                    peerPort,
                    mclt,
                    loadBalancePercent,
                    reservePercent,
                    safePeriod,
                    maxResponseDelay,
                    maxUnackedUpdates,
                    loadBalanceMaxSeconds,
                    secret,
                    scopes,
                    tls);
        }

        @Override
        public String toString() {
            return "Relationship[" + name + ", " + role + ", " + mode + ", peer " + peerAddress + ":" + peerPort
                    + (sharedSecret == null ? "" : ", secret set") + "]";
        }
    }

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
            List<Reservation> reservations,
            Ddns ddns) {

        /** A scope without dynamic DNS. */
        public Scope(
                String subnet,
                List<Range> ranges,
                List<Range> exclusions,
                long leaseTime,
                Long renewalTime,
                Long rebindingTime,
                Map<String, String> options,
                List<Reservation> reservations) {
            this(subnet, ranges, exclusions, leaseTime, renewalTime, rebindingTime, options, reservations, null);
        }

        /** This scope with other reservations. */
        public Scope withReservations(List<Reservation> others) {
            return new Scope(subnet, ranges, exclusions, leaseTime, renewalTime, rebindingTime, options, others, ddns);
        }
    }

    /**
     * Dynamic DNS of a scope (RFC 2136 updates, TSIG-signed, RFC 4701/4703 DHCID conflict rules), as ISC dhcpd's and
     * Kea's DDNS settings. The TSIG secret is not here: {@code key} names a key of the lease-service's key file.
     *
     * @param forwardZone zone of the clients' A records (absent: no forward updates)
     * @param reverseZone in-addr.arpa zone of the PTR records (absent: no reverse updates)
     * @param server address of the primary name server of both zones
     * @param port its port (53)
     * @param key TSIG key name (absent: unsigned updates)
     * @param qualifyingSuffix appended to a client's single-label name (absent: the forward zone)
     * @param overrideClientUpdate update the A record even when the client says it updates it (option 81 S=0)
     * @param overrideNoUpdate update even when the client asks for no updates (option 81 N=1)
     * @param ttl of the records, seconds (absent or 0: a third of the lease time, at least 60)
     */
    public record Ddns(
            String forwardZone,
            String reverseZone,
            String server,
            Integer port,
            String key,
            String qualifyingSuffix,
            Boolean overrideClientUpdate,
            Boolean overrideNoUpdate,
            Long ttl) {}

    /** Addresses from first to last, both included. */
    public record Range(String first, String last) {}

    /** A fixed address for a client named by hardware address or client identifier (hex). */
    public record Reservation(String hardwareAddress, String clientId, String address, String hostname) {}
}

package dev.tandem.protocol.bus;

import java.time.Instant;

/**
 * A lease state change (schema {@code lease-event.v1}), published to {@link Topics#LEASE_EVENTS} keyed by address,
 * with CloudEvents headers {@code ce_type = dev.tandem.lease.<type>}.
 *
 * @param id unique event id (also the CloudEvents id)
 * @param type committed, renewed, released, expired, declined or reclaimed
 * @param state the lease state after the change: ACTIVE, RELEASED, EXPIRED, DECLINED or FREE
 * @param sequence per server, increasing in commit order; lets a reader order events of one address
 * @param expiresAt end of the lease (ACTIVE) or of the probation (DECLINED)
 * @param fqdn committed or renewed by this server: the name it registers in DNS for the client (absent: none)
 * @param dnsForward with {@code fqdn}: whether this server updates the A record too, or only the PTR record (the
 *     client updates its A record, RFC 4702)
 */
public record LeaseEvent(
        int version,
        String id,
        String type,
        String server,
        String scope,
        String address,
        String state,
        String clientKey,
        String hardwareAddress,
        String clientId,
        String hostname,
        long sequence,
        Instant at,
        Instant expiresAt,
        String fqdn,
        Boolean dnsForward) {

    public static final int VERSION = 1;

    /** This event with the sequence the outbox gave it. */
    public LeaseEvent withSequence(long assigned) {
        return new LeaseEvent(
                version,
                id,
                type,
                server,
                scope,
                address,
                state,
                clientKey,
                hardwareAddress,
                clientId,
                hostname,
                assigned,
                at,
                expiresAt,
                fqdn,
                dnsForward);
    }

    /** An event without a DNS name. */
    public LeaseEvent(
            int version,
            String id,
            String type,
            String server,
            String scope,
            String address,
            String state,
            String clientKey,
            String hardwareAddress,
            String clientId,
            String hostname,
            long sequence,
            Instant at,
            Instant expiresAt) {
        this(
                version,
                id,
                type,
                server,
                scope,
                address,
                state,
                clientKey,
                hardwareAddress,
                clientId,
                hostname,
                sequence,
                at,
                expiresAt,
                null,
                null);
    }

    public static final String CE_TYPE_PREFIX = "dev.tandem.lease.";
}

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
        Instant expiresAt) {

    public static final int VERSION = 1;
    public static final String CE_TYPE_PREFIX = "dev.tandem.lease.";
}

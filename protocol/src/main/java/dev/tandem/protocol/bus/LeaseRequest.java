package dev.tandem.protocol.bus;

import java.time.Instant;
import java.util.List;

/**
 * Gateway to lease-service: what the lease-service needs of one client message to decide (schema
 * {@code lease-request.v1}). Addresses are dotted quads, binary values hex.
 *
 * @param messageType DISCOVER, REQUEST, DECLINE, RELEASE or INFORM
 * @param clientKey the client's identity for leases: {@code id:<hex>} from option 61, else {@code hw:<htype>:<hex>}
 * @param scope the subnet of the scope the gateway selected, CIDR form
 * @param broadcast whether the request reached the server as a broadcast (tells RENEWING from REBINDING)
 * @param clientFqdn the client FQDN option (81, RFC 4702) as sent, hex; absent when not sent
 */
public record LeaseRequest(
        int version,
        String server,
        String scope,
        String messageType,
        String clientKey,
        int htype,
        String hardwareAddress,
        String clientId,
        int xid,
        String ciaddr,
        String giaddr,
        String requestedAddress,
        String serverId,
        Long requestedLeaseTime,
        String hostname,
        String vendorClass,
        List<Integer> parameterRequestList,
        boolean broadcast,
        Instant receivedAt,
        String clientFqdn) {

    public static final int VERSION = 1;

    /** A request without the client FQDN option. */
    public LeaseRequest(
            int version,
            String server,
            String scope,
            String messageType,
            String clientKey,
            int htype,
            String hardwareAddress,
            String clientId,
            int xid,
            String ciaddr,
            String giaddr,
            String requestedAddress,
            String serverId,
            Long requestedLeaseTime,
            String hostname,
            String vendorClass,
            List<Integer> parameterRequestList,
            boolean broadcast,
            Instant receivedAt) {
        this(
                version,
                server,
                scope,
                messageType,
                clientKey,
                htype,
                hardwareAddress,
                clientId,
                xid,
                ciaddr,
                giaddr,
                requestedAddress,
                serverId,
                requestedLeaseTime,
                hostname,
                vendorClass,
                parameterRequestList,
                broadcast,
                receivedAt,
                null);
    }
}

package dev.tandem.protocol.bus;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The answer to one binding update (schema {@code binding-ack.v1}): from the coordinator to the lease-service when the
 * partner acknowledged ours ({@code binding-acks}), and from the lease-service to the coordinator once a partner's
 * update is durable or refused ({@code partner-update-replies}).
 *
 * @param sequence the update's sequence, as sent
 * @param potentialExpiration the potential expiration the partner now holds (seconds since 1970)
 * @param rejectReason null when accepted, else the reject reason's name (draft-ietf-dhc-failover-12 §12.21)
 * @param appliedSequence on {@code partner-update-replies}, the update number the lease row took when the partner's
 *     update was applied (0 otherwise, or from a lease-service that does not say): any update of ours of the address
 *     numbered below it was published before and is stale
 */
public record BindingAck(
        int version,
        String relationship,
        String address,
        long sequence,
        long potentialExpiration,
        String rejectReason,
        String message,
        long appliedSequence) {

    public static final int VERSION = 1;

    @JsonIgnore
    public boolean accepted() {
        return rejectReason == null;
    }
}

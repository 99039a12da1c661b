package dev.tandem.protocol.bus;

import java.util.List;

/**
 * Lease-service to gateway: the decision for one request (schema {@code lease-reply.v1}).
 *
 * @param action OFFER, ACK or NAK send a reply; NONE sends nothing (the reason says why)
 * @param address yiaddr for OFFER and ACK of a lease; absent for NAK, NONE and the ACK to INFORM
 * @param options the options to put in the reply, in order, already filtered by the parameter request list
 * @param reason why: the NAK message text, or the drop reason for NONE
 */
public record LeaseReply(
        int version,
        String action,
        String address,
        Long leaseTime,
        Long renewalTime,
        Long rebindingTime,
        List<OptionValue> options,
        String reason) {

    public static final int VERSION = 1;

    public static LeaseReply none(String reason) {
        return new LeaseReply(VERSION, "NONE", null, null, null, null, List.of(), reason);
    }

    /** One option of a reply: its code and its value in hex. */
    public record OptionValue(int code, String value) {}
}

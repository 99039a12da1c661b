package dev.tandem.coordinator.domain;

import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverOption;
import dev.tandem.protocol.failover.RejectReason;
import java.util.Optional;

/**
 * Whether a handshake message is taken (draft-ietf-dhc-failover-12 §7.8, §7.9): the CONNECT a secondary receives, the
 * CONNECTACK a primary receives. A refusal names the reject reason it is answered with and why, for the log.
 */
public final class ConnectPolicy {

    private ConnectPolicy() {}

    public record Refusal(RejectReason reason, String why) {}

    /**
     * A CONNECT, received by this server.
     *
     * @param primary whether this server is the relationship's primary (then both would be)
     * @param relationship the relationship's name here
     * @param now this server's time, seconds since 1970
     * @param maxSkew the largest clock difference taken, seconds
     * @param connected whether a connection with the partner is up already
     */
    public static Optional<Refusal> connect(
            boolean primary, String relationship, FailoverMessage m, long now, long maxSkew, boolean connected) {
        String name = m.text(FailoverOption.RELATIONSHIP_NAME).orElse(null);
        long skew = Math.abs(m.time() - now);
        if (primary) {
            return refuse(RejectReason.INVALID_PARTNER, "both servers are configured as primary");
        }
        if (!relationship.equals(name)) {
            return refuse(RejectReason.INVALID_PARTNER, "unknown failover relationship name " + name);
        }
        if (skew > maxSkew) {
            return refuse(RejectReason.TIME_MISMATCH, "time offset too large: " + skew + " s");
        }
        if (m.bytes(FailoverOption.HASH_BUCKET_ASSIGNMENT)
                .map(b -> b.length != 32)
                .orElse(true)) {
            return refuse(RejectReason.HBA_CONFLICT, "invalid HBA");
        }
        if (m.u32(FailoverOption.MCLT).isEmpty()) {
            return refuse(RejectReason.INVALID_MCLT, "no MCLT provided");
        }
        if (connected) {
            return refuse(RejectReason.DUPLICATE_CONNECTION, "already connected");
        }
        return Optional.empty();
    }

    /**
     * A CONNECTACK that accepts this primary's CONNECT: answered with a DISCONNECT when it names another relationship
     * or its clock is too far off.
     */
    public static Optional<Refusal> connectAck(String relationship, FailoverMessage m, long now, long maxSkew) {
        if (!relationship.equals(m.text(FailoverOption.RELATIONSHIP_NAME).orElse(null))) {
            return refuse(RejectReason.INVALID_PARTNER, "relationship name mismatch");
        }
        if (Math.abs(m.time() - now) > maxSkew) {
            return refuse(RejectReason.TIME_MISMATCH, "time offset too large");
        }
        return Optional.empty();
    }

    private static Optional<Refusal> refuse(RejectReason reason, String why) {
        return Optional.of(new Refusal(reason, why));
    }
}

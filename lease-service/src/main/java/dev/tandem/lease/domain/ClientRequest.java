package dev.tandem.lease.domain;

import dev.tandem.protocol.net.Ipv4;
import java.util.Optional;

/**
 * The parts of a client message the lease rules read.
 *
 * @param serverIdIsOurs whether option 54, when present, names this server
 */
public record ClientRequest(
        RequestKind kind,
        String clientKey,
        String clientIdHex,
        String hardwareAddressHex,
        Ipv4 ciaddr,
        Optional<Ipv4> requestedAddress,
        Optional<Ipv4> serverId,
        boolean serverIdIsOurs) {

    /** The address the message is about, if any: requested address, else ciaddr. */
    public Optional<Ipv4> subjectAddress() {
        return switch (kind) {
            case DISCOVER, SELECTING, INIT_REBOOT, DECLINE -> requestedAddress;
            case RENEWING, REBINDING, RELEASE -> ciaddr.isAny() ? Optional.empty() : Optional.of(ciaddr);
            default -> Optional.empty();
        };
    }
}

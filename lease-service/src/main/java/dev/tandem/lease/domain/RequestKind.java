package dev.tandem.lease.domain;

/** What a client message is, by RFC 2131 §4.3 and table 4 ("client messages from various states"). */
public enum RequestKind {
    DISCOVER,
    /** REQUEST with server identifier: the client picked an offer (§4.3.2 "DHCPREQUEST generated during SELECTING"). */
    SELECTING,
    /** REQUEST with requested address, no server identifier, no ciaddr (§4.3.2 "INIT-REBOOT"). */
    INIT_REBOOT,
    /** REQUEST unicast with ciaddr, no server identifier, no requested address (§4.3.2 "RENEWING"). */
    RENEWING,
    /** REQUEST broadcast with ciaddr, no server identifier, no requested address (§4.3.2 "REBINDING"). */
    REBINDING,
    DECLINE,
    RELEASE,
    INFORM,
    /** A REQUEST that fits none of the states of table 4. */
    INVALID;

    /** Classifies a message by type and the fields table 4 names. */
    public static RequestKind classify(
            String messageType,
            boolean hasServerId,
            boolean hasRequestedAddress,
            boolean hasCiaddr,
            boolean broadcast) {
        return switch (messageType) {
            case "DISCOVER" -> DISCOVER;
            case "DECLINE" -> DECLINE;
            case "RELEASE" -> RELEASE;
            case "INFORM" -> INFORM;
            case "REQUEST" -> {
                if (hasServerId) {
                    yield hasRequestedAddress && !hasCiaddr ? SELECTING : INVALID;
                }
                if (hasRequestedAddress) {
                    yield hasCiaddr ? INVALID : INIT_REBOOT;
                }
                if (hasCiaddr) {
                    yield broadcast ? REBINDING : RENEWING;
                }
                yield INVALID;
            }
            default -> INVALID;
        };
    }
}

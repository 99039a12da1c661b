package dev.tandem.lease.domain;

import dev.tandem.protocol.net.Ipv4;

/** What the lease-service does with one client message. */
public sealed interface Decision {

    /** Hold the address for the client and send DHCPOFFER. */
    record Offer(Ipv4 address) implements Decision {}

    /** Take a free address from the pool, hold it and send DHCPOFFER (or nothing if the pool is exhausted). */
    record AllocateAndOffer() implements Decision {}

    /** Bind the address to the client and send DHCPACK; renewal when the client already held it. */
    record Ack(Ipv4 address, boolean renewal) implements Decision {}

    /** Send DHCPNAK with this message (RFC 2132 §9.9). */
    record Nak(String message) implements Decision {}

    /** The client chose another server's offer: give back the address we offered (RFC 2131 §4.3.2). */
    record Withdraw(Ipv4 address) implements Decision {}

    /** RFC 2131 §4.3.4. */
    record Release(Ipv4 address) implements Decision {}

    /** RFC 2131 §4.3.3: keep the address out of use for the probation period. */
    record Decline(Ipv4 address) implements Decision {}

    /** RFC 2131 §4.3.5: DHCPACK with configuration only, no lease. */
    record InformAck() implements Decision {}

    /** Send nothing; the reason is counted and logged at debug level. */
    record Ignore(String reason) implements Decision {}
}

package dev.tandem.coordinator.service;

import dev.tandem.coordinator.peer.Channel;
import dev.tandem.protocol.failover.RejectReason;

/** The link to the partner as the binding-update flows see it ({@link PartnerLink}). */
interface Link {

    /** The established connection, or null. */
    Channel connection();

    /** How many of our updates the partner takes unacknowledged (its MAX-UNACKED-BNDUPD). */
    long window();

    /** Whether the partner is ISC dhcpd (its vendor class). */
    boolean iscPartner();

    /** Ends the link with a DISCONNECT saying why. */
    void disconnect(RejectReason reason, String why);
}

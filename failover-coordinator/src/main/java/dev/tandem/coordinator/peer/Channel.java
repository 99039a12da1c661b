package dev.tandem.coordinator.peer;

import dev.tandem.protocol.failover.FailoverMessage;

/** One connection to the partner as those who send on it see it: {@link PeerConnection} over TCP. */
public interface Channel {

    /** Sends a request with a fresh xid; returns the xid. */
    long sendRequest(FailoverMessage message);

    /** Sends a message as it is (a reply echoing the request's xid). */
    void send(FailoverMessage message);

    void close();

    boolean closed();
}

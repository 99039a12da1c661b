package dev.tandem.coordinator.peer;

import dev.tandem.protocol.failover.FailoverCodec;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.MessageAuthenticator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One TCP connection to the partner's coordinator. Messages go out with a per-connection xid that starts at 1 and never
 * is 0 (ISC requires it for BNDUPD); replies keep the xid they answer. With a shared secret every message is signed.
 */
public final class PeerConnection implements Channel {

    private final NetSocket socket;
    private final boolean outbound;
    private final MessageAuthenticator authenticator;
    private final AtomicLong nextXid = new AtomicLong(1);
    private volatile boolean closed;
    /** Replay protection: the highest xid and time seen in the partner's requests on this connection. */
    long lastRequestXid = -1;

    long lastTime = -1;

    PeerConnection(NetSocket socket, boolean outbound, MessageAuthenticator authenticator) {
        this.socket = socket;
        this.outbound = outbound;
        this.authenticator = authenticator;
    }

    public boolean outbound() {
        return outbound;
    }

    public String remote() {
        return String.valueOf(socket.remoteAddress());
    }

    /** The remote address without its port. */
    public String remoteHost() {
        return socket.remoteAddress() == null
                ? "unknown"
                : socket.remoteAddress().hostAddress();
    }

    @Override
    public long sendRequest(FailoverMessage message) {
        long xid = nextXid.getAndUpdate(x -> x == 0xffffffffL ? 1 : x + 1);
        send(message.withXid(xid));
        return xid;
    }

    @Override
    public void send(FailoverMessage message) {
        if (closed) {
            return;
        }
        byte[] wire = authenticator == null ? FailoverCodec.encode(message) : authenticator.sign(message);
        socket.write(Buffer.buffer(wire));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            socket.close();
        }
    }

    @Override
    public boolean closed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    @Override
    public String toString() {
        return (outbound ? "to " : "from ") + remote();
    }
}

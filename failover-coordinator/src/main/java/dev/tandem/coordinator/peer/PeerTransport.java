package dev.tandem.coordinator.peer;

import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.protocol.failover.FailoverCodec;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.MalformedMessageException;
import dev.tandem.protocol.failover.MessageAuthenticator;
import dev.tandem.protocol.failover.MessageType;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.parsetools.RecordParser;
import java.util.Set;

/**
 * The failover TCP transport of one relationship (draft-ietf-dhc-failover-12 §8): listens on the local address and
 * port, dials the partner from the local address, frames messages by their length field, checks the digest when a
 * shared secret is set and guards against replays (time within the allowed skew, request xids increasing per
 * connection). Everything reaches the listener on the relationship's Vert.x context.
 */
public final class PeerTransport {

    /** What the transport tells its owner. */
    public interface Listener {
        void connected(PeerConnection connection);

        void received(PeerConnection connection, FailoverMessage message);

        void closed(PeerConnection connection);

        /** A message was refused (malformed, bad digest, replay); the connection is closed after this. */
        void refused(PeerConnection connection, String reason, String detail);

        /** A connection from an address that is not the partner's was refused (closed at once). */
        void refusedSource(String from);
    }

    /** Message types that answer ours and so echo our xid; the others are the partner's requests. */
    private static final Set<MessageType> ECHOES =
            Set.of(MessageType.BNDACK, MessageType.CONNECTACK, MessageType.UPDDONE, MessageType.POOLRESP);

    private final Vertx vertx;
    private final String localAddress;
    private final boolean anySource;
    private final int port;
    private final String peerAddress;
    private final int peerPort;
    private final MessageAuthenticator authenticator;
    private final long maxSkewSeconds;
    private final Listener listener;
    private final CoordinatorConfig.Tls tls;
    private NetServer server;
    private NetClient client;

    public PeerTransport(
            Vertx vertx,
            String localAddress,
            int port,
            String peerAddress,
            int peerPort,
            String sharedSecret,
            long maxSkewSeconds,
            CoordinatorConfig.Tls tls,
            java.util.Optional<String> listenAddress,
            Listener listener) {
        this.tls = tls;
        this.vertx = vertx;
        this.localAddress = listenAddress.orElse(localAddress);
        // Behind a Service the partner's source address is not the one configured: identity rests on HMAC or TLS.
        this.anySource = listenAddress.isPresent() && (sharedSecret != null || tls != null);
        this.port = port;
        this.peerAddress = peerAddress;
        this.peerPort = peerPort;
        this.authenticator = sharedSecret == null ? null : new MessageAuthenticator(sharedSecret);
        this.maxSkewSeconds = maxSkewSeconds;
        this.listener = listener;
    }

    /**
     * Starts listening. Only the partner's address may connect (as ISC does), unless a listen address overrides the
     * relationship's and the connection is authenticated.
     */
    public io.vertx.core.Future<Void> listen() {
        NetServerOptions options =
                new NetServerOptions().setHost(localAddress).setPort(port).setReuseAddress(true);
        if (tls != null) {
            options.setSsl(true)
                    .setKeyCertOptions(keyStore())
                    .setTrustOptions(trustStore())
                    .setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED);
        }
        server = vertx.createNetServer(options);
        server.connectHandler(socket -> {
            String from = socket.remoteAddress().hostAddress();
            if (!anySource && !peerAddress.equals(from)) {
                socket.close();
                listener.refusedSource(from);
                return;
            }
            attach(socket, false);
        });
        return server.listen().mapEmpty();
    }

    /** Dials the partner once, from the local address. */
    public void dial() {
        if (client == null) {
            NetClientOptions options = new NetClientOptions().setConnectTimeout(3000);
            if (!"0.0.0.0".equals(localAddress)) {
                options.setLocalAddress(localAddress);
            }
            if (tls != null) {
                // Mutual TLS: the partner is identified by the trust store, not by its host name.
                options.setSsl(true)
                        .setKeyCertOptions(keyStore())
                        .setTrustOptions(trustStore())
                        .setHostnameVerificationAlgorithm("");
            }
            client = vertx.createNetClient(options);
        }
        client.connect(peerPort, peerAddress)
                .onSuccess(socket -> attach(socket, true))
                .onFailure(e ->
                        Log.debugf("Dialling the partner at %s:%d failed: %s", peerAddress, peerPort, e.getMessage()));
    }

    private PfxOptions keyStore() {
        return new PfxOptions()
                .setPath(tls.keyStore()
                        .orElseThrow(() -> new IllegalStateException("tandem.failover.tls.key-store is not set")))
                .setPassword(tls.keyStorePassword().orElse(null));
    }

    private PfxOptions trustStore() {
        return new PfxOptions()
                .setPath(tls.trustStore()
                        .orElseThrow(() -> new IllegalStateException("tandem.failover.tls.trust-store is not set")))
                .setPassword(tls.trustStorePassword().orElse(null));
    }

    /**
     * Stops listening and dialling; completes once the listening socket is closed. A relationship restarted on the
     * same port must wait for that: Vert.x shares a server socket between servers of one host and port, and a
     * connection accepted while the old one closes is lost, and can leave the port accepting none.
     */
    public io.vertx.core.Future<Void> stop() {
        io.vertx.core.Future<Void> closed = server == null ? io.vertx.core.Future.succeededFuture() : server.close();
        if (client != null) {
            client.close();
        }
        return closed.recover(e -> io.vertx.core.Future.succeededFuture());
    }

    private void attach(NetSocket socket, boolean outbound) {
        PeerConnection connection = new PeerConnection(socket, outbound, authenticator);
        RecordParser parser = RecordParser.newFixed(2);
        int[] length = {-1};
        Buffer[] header = {null};
        parser.handler(chunk -> {
            if (length[0] < 0) {
                int total = FailoverCodec.announcedLength(chunk.getByte(0), chunk.getByte(1));
                if (total < FailoverCodec.HEADER_LENGTH || total > FailoverCodec.MAX_LENGTH) {
                    refuse(connection, "bad-length", "announced length " + total);
                    return;
                }
                length[0] = total;
                header[0] = chunk.copy();
                parser.fixedSizeMode(total - 2);
                return;
            }
            byte[] wire = header[0].appendBuffer(chunk).getBytes();
            length[0] = -1;
            parser.fixedSizeMode(2);
            onWire(connection, wire);
        });
        socket.handler(parser);
        socket.closeHandler(v -> {
            connection.markClosed();
            listener.closed(connection);
        });
        socket.exceptionHandler(e -> Log.debugf("Failover connection %s: %s", connection, e.getMessage()));
        listener.connected(connection);
    }

    private void onWire(PeerConnection connection, byte[] wire) {
        if (connection.closed()) {
            return;
        }
        FailoverMessage message;
        try {
            if (authenticator != null) {
                var verdict = authenticator.verify(wire);
                if (verdict != MessageAuthenticator.Verdict.VALID) {
                    refuse(
                            connection,
                            verdict == MessageAuthenticator.Verdict.MISSING ? "digest-missing" : "digest-mismatch",
                            "message not authenticated by the shared secret");
                    return;
                }
            }
            message = FailoverCodec.decode(wire);
            if (authenticator != null) {
                message = MessageAuthenticator.withoutDigest(message);
            }
        } catch (MalformedMessageException e) {
            refuse(connection, "malformed-" + e.reason().tag(), e.getMessage());
            return;
        }
        if (authenticator != null && !fresh(connection, message)) {
            return;
        }
        listener.received(connection, message);
    }

    /** Anti-replay (draft §11.1): times within the skew and never going back, request xids strictly increasing. */
    private boolean fresh(PeerConnection connection, FailoverMessage message) {
        long now = System.currentTimeMillis() / 1000;
        if (Math.abs(message.time() - now) > maxSkewSeconds || message.time() < connection.lastTime) {
            refuse(connection, "replay", "message time " + message.time() + " outside the allowed window");
            return false;
        }
        connection.lastTime = message.time();
        boolean echo = message.messageType().map(ECHOES::contains).orElse(false);
        if (!echo) {
            if (message.xid() <= connection.lastRequestXid) {
                refuse(connection, "replay", "xid " + message.xid() + " not above " + connection.lastRequestXid);
                return false;
            }
            connection.lastRequestXid = message.xid();
        }
        return true;
    }

    private void refuse(PeerConnection connection, String reason, String detail) {
        listener.refused(connection, reason, detail);
        connection.close();
    }
}

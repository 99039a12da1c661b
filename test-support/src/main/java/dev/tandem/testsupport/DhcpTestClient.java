package dev.tandem.testsupport;

import dev.tandem.protocol.dhcp.DhcpCodec;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.MalformedPacketException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * A DHCP peer for service tests on loopback: it plays a relay agent (sends from its own port with giaddr set, gets
 * replies on that port). Waits are bounded.
 */
public final class DhcpTestClient implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress server;

    public DhcpTestClient(InetSocketAddress local, InetSocketAddress server) {
        try {
            this.socket = new DatagramSocket(local);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.server = server;
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public void sendRaw(byte[] bytes) {
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, server));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void send(DhcpMessage message) {
        sendRaw(DhcpCodec.encode(message));
    }

    /** The next reply with this xid, or empty when none comes within the wait. */
    public Optional<DhcpMessage> receive(int xid, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] buf = new byte[1500];
        while (System.nanoTime() < deadline) {
            try {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                DatagramPacket packet = new DatagramPacket(buf, buf.length);
                socket.receive(packet);
                DhcpMessage reply = DhcpCodec.decode(packet.getData(), 0, packet.getLength());
                if (reply.xid() == xid) {
                    return Optional.of(reply);
                }
            } catch (SocketTimeoutException e) {
                return Optional.empty();
            } catch (MalformedPacketException e) {
                // not a DHCP reply: keep waiting
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.empty();
    }

    public Optional<DhcpMessage> exchange(DhcpMessage message, Duration wait) {
        send(message);
        return receive(message.xid(), wait);
    }

    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    @Override
    public void close() {
        socket.close();
    }
}

package dev.tandem.gateway.udp;

import dev.tandem.gateway.config.GatewayConfig;
import dev.tandem.gateway.domain.ReplyAddressing.Destination;
import dev.tandem.gateway.messaging.LeaseClient;
import dev.tandem.gateway.service.GatewayService;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The DHCP socket (UDP, port 67 by default), a Netty channel on one of Vert.x's event loops. Opened at startup once
 * the reply consumer is assigned, closed at shutdown. Broadcast is enabled for replies to directly attached clients.
 *
 * <p>A Netty channel rather than Vert.x's datagram socket: that one sizes each read's buffer to the socket's kernel
 * receive buffer (4 MiB here, for a storm of clients), so every datagram would allocate that much (what it cost:
 * bench/README.md). Here the kernel buffer and the read buffer are set apart.
 */
@ApplicationScoped
public class DhcpSocket {

    /** Kernel receive buffer: room for a few thousand client messages while the event loop is busy. */
    static final int RECEIVE_BUFFER = 4 * 1024 * 1024;

    static final int SEND_BUFFER = 1024 * 1024;

    /**
     * One read's buffer: more than a DHCP message in a 9000-byte jumbo frame, and small enough for Netty's per-thread
     * buffer cache. A datagram that fills it may have been cut by the kernel and is dropped (too-long).
     */
    static final int READ_BUFFER = 16 * 1024;

    private final Vertx vertx;
    private final GatewayConfig config;
    private final GatewayService gateway;
    private final LeaseClient leases;
    private final MeterRegistry metrics;
    private volatile Channel channel;
    private volatile boolean bound;

    public DhcpSocket(
            Vertx vertx, GatewayConfig config, GatewayService gateway, LeaseClient leases, MeterRegistry metrics) {
        this.vertx = vertx;
        this.config = config;
        this.gateway = gateway;
        this.leases = leases;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        String host = config.gateway().listenAddress();
        int port = config.gateway().listenPort();
        leases.ready()
                .ifNoItem()
                .after(Duration.ofSeconds(60))
                .recoverWithItem(() -> {
                    Log.warn("Reply consumer not assigned after 60 s; opening the DHCP socket anyway");
                    return null;
                })
                .subscribe()
                .with(x -> open(host, port), e -> open(host, port));
    }

    private void open(String host, int port) {
        ChannelFuture bind = new Bootstrap()
                .group(vertx.nettyEventLoopGroup())
                // a factory, not a class: no reflection, also in a native image
                .channelFactory(() -> new NioDatagramChannel(InternetProtocolFamily.IPv4))
                .option(ChannelOption.SO_BROADCAST, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SEND_BUFFER)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(READ_BUFFER))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        InetSocketAddress sender = packet.sender();
                        String source = sender.getAddress().getHostAddress() + ":" + sender.getPort();
                        if (packet.content().readableBytes() >= READ_BUFFER) {
                            gateway.dropTooLong(source);
                            return;
                        }
                        gateway.onPacket(ByteBufUtil.getBytes(packet.content()), source, DhcpSocket.this::send);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
                        Log.warnf("DHCP socket error: %s", e.toString());
                    }
                })
                .bind(host, port);
        channel = bind.channel();
        bind.addListener(result -> {
            if (result.isSuccess()) {
                Log.infof("DHCP socket listening on %s:%d", host, port);
                bound = true;
            } else {
                Log.errorf(result.cause(), "Cannot listen on %s:%d", host, port);
            }
        });
        channel.closeFuture().addListener(closed -> bound = false);
    }

    private void send(byte[] wire, Destination destination) {
        Channel c = channel;
        if (!bound || c == null) {
            return;
        }
        InetSocketAddress to = new InetSocketAddress(destination.address().toInetAddress(), destination.port());
        c.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(wire), to)).addListener(result -> {
            if (!result.isSuccess()) {
                metrics.counter("tandem_pkt4_send_failures_total").increment();
                Log.debugf("Sending to %s failed: %s", to, result.cause().toString());
            }
        });
    }

    public boolean bound() {
        return bound;
    }

    void stop(@Observes ShutdownEvent event) {
        bound = false;
        Channel c = channel;
        if (c != null) {
            try {
                c.close().await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

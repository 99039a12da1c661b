package dev.tandem.coordinator.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Relationship;
import dev.tandem.protocol.failover.FailoverCodec;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.LoadBalance;
import dev.tandem.protocol.failover.MessageType;
import dev.tandem.testsupport.ServerConfigs;
import dev.tandem.testsupport.TandemTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A relationship with {@code tls: true}: the coordinator listens with mutual TLS; a partner presenting a trusted
 * certificate completes the handshake, a plain TCP connection gets nothing.
 */
@QuarkusTest
@TestProfile(TlsPeerTest.Profile.class)
@QuarkusTestResource(value = TandemTestResources.class, restrictToAnnotatedClass = true)
class TlsPeerTest {

    static final int PORT = 16490;
    static final String SERVER = "dhcp-t";
    static final Path DIR = stores();
    static final Path STORE = DIR.resolve("peer.p12");
    static final Path TRUST = DIR.resolve("trust.p12");

    /**
     * A self-signed certificate made with the JDK's keytool, and a trust store holding it; made once in a fixed place,
     * since this class is loaded both by the test runner and by Quarkus.
     */
    static Path stores() {
        try {
            Path dir = Path.of("target", "tls-test").toAbsolutePath();
            if (Files.exists(dir.resolve("trust.p12"))) {
                return dir;
            }
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve("peer.p12"));
            Files.deleteIfExists(dir.resolve("peer.crt"));
            String store = dir.resolve("peer.p12").toString();
            String crt = dir.resolve("peer.crt").toString();
            keytool("-genkeypair -alias peer -keyalg EC -groupname secp256r1 -dname CN=tandem-test-peer -validity 2"
                    + " -storetype PKCS12 -keystore " + store + " -storepass changeit -keypass changeit");
            keytool("-exportcert -alias peer -keystore " + store + " -storepass changeit -file " + crt);
            keytool("-importcert -noprompt -alias peer -file " + crt + " -storetype PKCS12 -keystore "
                    + dir.resolve("trust.p12") + " -storepass changeit");
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void keytool(String args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args.split(" ")));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(
                    "keytool failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "tandem.server",
                    SERVER,
                    "tandem.failover.tls.key-store",
                    STORE.toString(),
                    "tandem.failover.tls.key-store-password",
                    "changeit",
                    "tandem.failover.tls.trust-store",
                    STORE.toString(),
                    "tandem.failover.tls.trust-store-password",
                    "changeit");
        }
    }

    @BeforeAll
    static void configure() throws Exception {
        ServerConfig base =
                ServerConfigs.oneScope("192.0.2.0/24", "192.0.2.10", "192.0.2.20", 600, Map.of(), List.of());
        ServerConfigs.publish(ServerConfigs.withFailover(
                base,
                SERVER,
                new Relationship(
                        "fo",
                        "secondary",
                        "load-balance",
                        "127.0.0.1",
                        PORT,
                        "127.0.0.1",
                        PORT + 1,
                        60L,
                        null,
                        null,
                        null,
                        10L,
                        10,
                        3,
                        null,
                        List.of("192.0.2.0/24"),
                        true)));
    }

    static SSLContext context() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(STORE.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(TRUST.toFile())) {
            trust.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static FailoverMessage connect() {
        return FailoverMessages.connect(
                        System.currentTimeMillis() / 1000, "fo", 10, 30, "scripted", 60, LoadBalance.Buckets.split(128))
                .withXid(1);
    }

    @Test
    void aTrustedPartnerCompletesTheHandshakeOverTls() throws Exception {
        SSLContext ctx = context();
        // The coordinator starts listening once it has read its configuration: retry the handshake until then.
        java.util.concurrent.atomic.AtomicReference<SSLSocket> handshaken =
                new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
                    try {
                        s.connect(new InetSocketAddress("127.0.0.1", PORT), 1000);
                        s.startHandshake();
                        handshaken.set(s);
                    } catch (IOException e) {
                        s.close();
                        throw new AssertionError("TLS handshake: " + e, e);
                    }
                });
        SSLSocket socket = handshaken.get();
        try (SSLSocket connected = socket) {
            connected.setSoTimeout(10_000);
            connected.getOutputStream().write(FailoverCodec.encode(connect()));
            FailoverMessage ack =
                    dev.tandem.coordinator.FailoverFrames.read(new DataInputStream(connected.getInputStream()));
            assertThat(ack.messageType()).contains(MessageType.CONNECTACK);
            assertThat(FailoverMessages.rejectReason(ack)).isEmpty();
        }
    }

    @Test
    void aPlainConnectionGetsNothing() throws Exception {
        try (Socket socket = new Socket()) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                socket.connect(new InetSocketAddress("127.0.0.1", PORT), 1000);
                return true;
            });
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(FailoverCodec.encode(connect()));
            int first;
            try {
                first = socket.getInputStream().read();
            } catch (IOException closed) {
                first = -1;
            }
            // Whatever comes back is a TLS alert (content type 21), never a CONNECTACK; usually just the close.
            assertThat(first).isIn(-1, 21);
        }
    }
}

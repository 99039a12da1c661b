package dev.tandem.lease;

import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real BIND 9 ({@code named} from Debian's bind9 package) on 127.0.0.1 and a free port, primary for example.test and
 * 2.0.192.in-addr.arpa, which accepts updates signed with the TSIG key {@code tandem-ddns} only. It gives the
 * lease-service dynamic DNS with that key file and the server name {@code dhcp-n}. {@link #stopNamed()} and
 * {@link #startNamed()} take it down and bring it back with its zones (the journal keeps the updates).
 */
public class NamedServer implements QuarkusTestResourceLifecycleManager {

    public static final String SERVER = "dhcp-n";
    public static final String KEY = "tandem-ddns";

    private static Path dir;
    private static int port;
    private static String secret;
    private static Process named;

    public static int port() {
        return port;
    }

    public static String secret() {
        return secret;
    }

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("tandem-named");
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            secret = Base64.getEncoder().encodeToString(key);
            Files.writeString(
                    dir.resolve("tandem.key"),
                    "key \"" + KEY + "\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + secret + "\";\n};\n");
            Files.writeString(
                    dir.resolve("named.conf"),
                    """
                    include "%1$s/tandem.key";
                    options {
                        directory "%1$s";
                        pid-file "%1$s/named.pid";
                        listen-on port %2$d { 127.0.0.1; };
                        listen-on-v6 { none; };
                        recursion no;
                        dnssec-validation no;
                        notify no;
                        allow-query { 127.0.0.1; };
                    };
                    controls { };
                    zone "example.test" { type primary; file "%1$s/example.test.zone"; allow-update { key "%3$s"; }; };
                    zone "2.0.192.in-addr.arpa" { type primary; file "%1$s/reverse.zone"; allow-update { key "%3$s"; }; };
                    """
                            .formatted(dir, port, KEY));
            String soa = "$TTL 300\n@ IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300\n"
                    + "@ IN NS ns1.example.test.\n";
            Files.writeString(dir.resolve("example.test.zone"), soa + "ns1 IN A 127.0.0.1\n");
            Files.writeString(dir.resolve("reverse.zone"), soa);
            startNamed();
        } catch (IOException e) {
            throw new IllegalStateException("BIND for the DNS tests not started", e);
        }
        return Map.of(
                "tandem.server", SERVER,
                "tandem.ddns.enabled", "true",
                "tandem.ddns.key-file", dir.resolve("tandem.key").toString(),
                "tandem.ddns.max-retry-interval", "2s",
                // the group is new in every test run: read the events from the start, none is missed
                "mp.messaging.incoming.dns-events.auto.offset.reset", "earliest");
    }

    /** Starts named and waits (up to 20 s) until it answers for example.test. */
    public static void startNamed() throws IOException {
        Path binary = Path.of("/usr/sbin/named");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("/usr/sbin/named not found: the test command installs Debian's bind9");
        }
        named = new ProcessBuilder(
                        binary.toString(),
                        "-g",
                        "-4",
                        "-n",
                        "1",
                        "-c",
                        dir.resolve("named.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("named.log").toFile())
                .start();
        Path log = dir.resolve("named.log");
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .failFast("named ended at start (" + log + ")", () -> !named.isAlive())
                .until(NamedServer::answers);
    }

    /** Whether named answers for example.test (not listening yet: no). */
    private static boolean answers() {
        try {
            SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
            resolver.setTimeout(Duration.ofMillis(500));
            Message answer = resolver.send(
                    Message.newQuery(Record.newRecord(Name.fromString("example.test."), Type.SOA, DClass.IN)));
            return answer.getRcode() == Rcode.NOERROR;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Ends the named this resource started, by its process. */
    public static void stopNamed() {
        if (named != null && named.isAlive()) {
            named.destroy();
            try {
                if (!named.waitFor(10, TimeUnit.SECONDS)) {
                    named.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void stop() {
        stopNamed();
    }
}

package dev.tandem.system;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real BIND 9 ({@code named} from Debian's bind9) in a network namespace this class makes and removes
 * ({@code tdmst-dns}, 198.18.250.2 on a veth from the root namespace, where the lease-services run): primary for
 * {@code pair.test} and the pair's reverse zone {@code 135.18.198.in-addr.arpa}, taking updates signed with the TSIG
 * key {@code tandem-ddns} only. {@link #keyFile()} is the key in BIND's syntax, for the lease-services too.
 */
final class Bind {

    static final String NAMESPACE = Stack.PREFIX + "-dns";
    static final String ADDRESS = "198.18.250.2";
    static final String ROOT_END = "198.18.250.1";
    static final String ZONE = "pair.test";
    static final String REVERSE_ZONE = "135.18.198.in-addr.arpa";
    static final String KEY = "tandem-ddns";
    static final Path DIR = Stack.WORK.resolve("bind");

    private static Process named;

    private Bind() {}

    /** Writes the key file (once per run); the lease-services read it at start, so before the stack starts. */
    static Path keyFile() {
        Path file = DIR.resolve("tandem.key");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(DIR);
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                Files.writeString(
                        file,
                        "key \"" + KEY + "\" {\n\talgorithm hmac-sha256;\n\tsecret \""
                                + Base64.getEncoder().encodeToString(secret) + "\";\n};\n");
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return file;
    }

    /** Makes the namespace and starts named in it with empty zones; waits (up to 20 s) until it answers. */
    static void start() throws IOException {
        stop();
        for (String zone : List.of("pair.zone", "reverse.zone")) {
            Files.deleteIfExists(DIR.resolve(zone + ".jnl"));
        }
        Stack.run(Duration.ofSeconds(10), "ip", "netns", "add", NAMESPACE);
        Stack.run(
                Duration.ofSeconds(10),
                "ip",
                "link",
                "add",
                Stack.PREFIX + "n0",
                "type",
                "veth",
                "peer",
                "name",
                Stack.PREFIX + "n1",
                "netns",
                NAMESPACE);
        Stack.run(Duration.ofSeconds(10), "ip", "addr", "add", ROOT_END + "/30", "dev", Stack.PREFIX + "n0");
        Stack.run(Duration.ofSeconds(10), "ip", "link", "set", Stack.PREFIX + "n0", "up");
        Stack.ip(NAMESPACE, "addr", "add", ADDRESS + "/30", "dev", Stack.PREFIX + "n1");
        Stack.ip(NAMESPACE, "link", "set", Stack.PREFIX + "n1", "up");
        Stack.ip(NAMESPACE, "link", "set", "lo", "up");
        Files.writeString(
                DIR.resolve("named.conf"),
                """
                include "%1$s";
                options {
                    directory "%2$s";
                    pid-file "%2$s/named.pid";
                    listen-on port 53 { %3$s; };
                    listen-on-v6 { none; };
                    recursion no;
                    dnssec-validation no;
                    notify no;
                };
                controls { };
                zone "%4$s" { type primary; file "%2$s/pair.zone"; allow-update { key "%5$s"; }; };
                zone "%6$s" { type primary; file "%2$s/reverse.zone"; allow-update { key "%5$s"; }; };
                """
                        .formatted(keyFile(), DIR, ADDRESS, ZONE, KEY, REVERSE_ZONE));
        String soa = "$TTL 300\n@ IN SOA ns1." + ZONE + ". hostmaster." + ZONE + ". 1 3600 600 86400 300\n"
                + "@ IN NS ns1." + ZONE + ".\n";
        Files.writeString(DIR.resolve("pair.zone"), soa + "ns1 IN A " + ADDRESS + "\n");
        Files.writeString(DIR.resolve("reverse.zone"), soa);
        named = Stack.spawn(
                DIR.resolve("named.log"),
                Map.of(),
                Stack.inNamespace(
                                NAMESPACE,
                                "/usr/sbin/named",
                                "-g",
                                "-4",
                                "-n",
                                "1",
                                "-c",
                                DIR.resolve("named.conf").toString())
                        .toArray(String[]::new));
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !dig(ZONE, "SOA").isEmpty());
    }

    /** {@code dig +short} at this named: the records' data, one per element. */
    static List<String> dig(String name, String type) {
        // a name server not answering yet is no answer, not a failure
        String out = Stack.run(
                Duration.ofSeconds(10),
                "sh",
                "-c",
                "dig +short +time=1 +tries=1 @" + ADDRESS + " " + name + " " + type + " || true");
        return Arrays.stream(out.split("\n"))
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith(";;"))
                .toList();
    }

    /** The reverse name of an address. */
    static String ptr(String address) {
        String[] o = address.split("\\.");
        return o[3] + "." + o[2] + "." + o[1] + "." + o[0] + ".in-addr.arpa.";
    }

    /** Ends the named this class started (by its process) and removes the namespace. */
    static void stop() {
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
        named = null;
        Stack.run(
                Duration.ofSeconds(10),
                "sh",
                "-c",
                "ip netns del " + NAMESPACE + " 2>/dev/null; ip link del " + Stack.PREFIX + "n0 2>/dev/null; true");
    }
}

package dev.tandem.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Real DHCP clients in the lab's namespaces, with the events their scripts record. */
final class Clients {

    private Clients() {}

    private static Path udhcpcScript;

    static synchronized Path script() {
        try {
            if (udhcpcScript == null || !Files.exists(udhcpcScript)) {
                udhcpcScript = executable("udhcpc.script");
            }
            return udhcpcScript;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Path executable(String resource) throws IOException {
        Path target = Stack.WORK.resolve(resource);
        Files.copy(
                Stack.ROOT.resolve("system-tests/src/test/resources/" + resource),
                target,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        target.toFile().setExecutable(true);
        return target;
    }

    /** A DHCP client process and the events its script recorded. */
    record Client(Process process, Path log, String mac) {

        List<String> events() {
            try {
                return Files.exists(log) ? Files.readAllLines(log) : List.of();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        Optional<String> last(String kind) {
            List<String> lines = events();
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith(kind + " ")) {
                    return Optional.of(lines.get(i).split(" ")[1]);
                }
            }
            return Optional.empty();
        }

        long count(String kind) {
            return events().stream().filter(l -> l.startsWith(kind + " ")).count();
        }

        void signal(String name) {
            Stack.run(Duration.ofSeconds(10), "kill", "-" + name, Long.toString(process.pid()));
        }
    }

    static Client udhcpc(String ns, String iface, String mac, String name, String... extra) {
        Path udhcpcScript = script();
        Stack.ip(ns, "link", "set", "dev", iface, "address", mac);
        Path log = Stack.WORK.resolve(name + ".events");
        Path out = Stack.WORK.resolve(name + ".out");
        List<String> cmd = Stack.inNamespace(
                ns,
                "udhcpc",
                "-f",
                "-i",
                iface,
                "-s",
                udhcpcScript.toString(),
                "-t",
                "10",
                "-T",
                "2",
                "-A",
                "2",
                "-x",
                "hostname:" + name);
        cmd.addAll(List.of(extra));
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Process p = Stack.spawn(out, Map.of("TANDEM_CLIENT_LOG", log.toString()), cmd.toArray(String[]::new));
        return new Client(p, log, mac);
    }
}

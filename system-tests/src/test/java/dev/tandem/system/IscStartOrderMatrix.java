package dev.tandem.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The start-order matrix with ISC dhcpd 4.4 as dhcp-a's partner (dhcp-b's services stopped), Tandem in the role
 * {@link #tandemRole} and ISC in the other. ISC's state is read from its log; each dhcpd process logs to a file of its
 * own, kept for the record.
 */
abstract class IscStartOrderMatrix extends StartOrderMatrix {

    static final Pattern ISC_MOVES = Pattern.compile("failover peer \\S+: I move from (\\S+) to (\\S+)");

    /** Tandem's role in the relationship; ISC has the other. */
    abstract String tandemRole();

    @Override
    String relationship() {
        return Isc.PAIR;
    }

    @Override
    String macPrefix() {
        return tandemRole().equals("primary") ? "02:00:5e:91" : "02:00:5e:92";
    }

    @Override
    Partner startStack() throws Exception {
        Stack.start(Map.of("TANDEM_RELAY_SERVERS", Pair.SERVER_ID_A + " " + Isc.ISC_ADDRESS));
        for (String service : List.of("gateway-b", "lease-service-b", "coordinator-b")) {
            Stack.script("stop-service", service);
        }
        Isc.publishTandemConfig(tandemRole());
        Path dir = Isc.ISC_DIR.resolve("matrix-tandem-" + tandemRole());
        Isc.iscDir = dir;
        Files.createDirectories(dir);
        boolean iscPrimary = !tandemRole().equals("primary");
        Files.writeString(dir.resolve("dhcpd.conf"), Isc.dhcpdConf(iscPrimary ? "primary" : "secondary"));
        Files.writeString(dir.resolve("dhcpd.leases"), "");
        IscPartner isc = new IscPartner(dir, iscPrimary);
        isc.start();
        return isc;
    }

    static final class IscPartner implements Partner {
        final Path dir;
        final boolean primary;
        Process dhcpd;
        String log;
        int logs;

        IscPartner(Path dir, boolean primary) {
            this.dir = dir;
            this.primary = primary;
        }

        @Override
        public void start() {
            if (dhcpd != null) {
                return;
            }
            log = "dhcpd-" + (++logs) + ".log";
            dhcpd = Isc.spawnDhcpd(log);
        }

        @Override
        public void stop(boolean kill) throws InterruptedException {
            if (dhcpd == null) {
                return;
            }
            if (kill) {
                dhcpd.destroyForcibly();
            } else {
                dhcpd.destroy();
            }
            dhcpd.waitFor();
            dhcpd = null;
        }

        @Override
        public void restart() throws InterruptedException {
            stop(true);
            start();
        }

        @Override
        public void forget() throws Exception {
            Files.writeString(dir.resolve("dhcpd.leases"), "");
        }

        /** The target of the last "I move from ... to ..." in the log of the running dhcpd. */
        @Override
        public String state() throws Exception {
            Path file = dir.resolve(log);
            String state = null;
            if (Files.exists(file)) {
                Matcher m = ISC_MOVES.matcher(Files.readString(file));
                while (m.find()) {
                    state = m.group(2);
                }
            }
            return state == null ? null : state.toUpperCase(Locale.ROOT);
        }

        @Override
        public void freeze() {
            signal("STOP");
        }

        @Override
        public void thaw() {
            signal("CONT");
        }

        void signal(String signal) {
            Stack.run(Duration.ofSeconds(10), "kill", "-" + signal, Long.toString(dhcpd.pid()));
        }

        /** dhcpd.conf(5): partner-down recorded in the lease file, then dhcpd restarted. */
        @Override
        public void partnerDownAlone() throws Exception {
            stop(false);
            Files.writeString(
                    dir.resolve("dhcpd.leases"),
                    "failover peer \"" + Isc.PAIR + "\" state {\n  my state partner-down;\n"
                            + "  partner state recover;\n" + (primary ? "" : "  mclt 20;\n") + "}\n",
                    StandardOpenOption.APPEND);
            start();
            org.awaitility.Awaitility.await()
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> "PARTNER-DOWN".equals(state()));
        }

        @Override
        public String serverId() {
            return Isc.ISC_ADDRESS;
        }
    }
}

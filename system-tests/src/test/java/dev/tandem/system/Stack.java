package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole system as an operator starts it ({@code deploy/local/tandem-local.sh}), on its own ports, run directory
 * and network namespaces ({@code tdmst-*}, 198.18.4.0/22) so it never meets a developer's local stack.
 */
final class Stack {

    static final Path ROOT =
            Path.of(System.getProperty("tandem.root", "..")).toAbsolutePath().normalize();
    static final Path WORK = ROOT.resolve("system-tests/target/system");
    static final String PREFIX = "tdmst";
    static final int PG_PORT = 56432;
    static final int KAFKA_PORT = 59192;
    static final int HTTP_BASE = 18080;
    static final String ADMIN_PASSWORD = "system-test-admin";
    /** The password of the admin API's reader ("viewer"). */
    static final String READER_PASSWORD = "system-test-reader";

    static final String SERVER_ID = "198.18.4.1";
    static final String RELAY_LAN = "198.18.6";
    static final String DIRECT_LAN = "198.18.7";
    static final String DIRECT_SERVER_ID = "198.18.7.1";

    private Stack() {}

    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("TANDEM_RUN_DIR", "/var/tmp/tandem-system-tests");
        env.put("TANDEM_NET_PREFIX", PREFIX);
        env.put("TANDEM_NET_INDEX", "1");
        env.put("TANDEM_PG_PORT", Integer.toString(PG_PORT));
        env.put("TANDEM_KAFKA_PORT", Integer.toString(KAFKA_PORT));
        env.put("TANDEM_KAFKA_PER_SERVER", "0"); // one broker for both servers: kafka() reaches every topic
        env.put("TANDEM_HTTP_BASE", Integer.toString(HTTP_BASE));
        env.put("TANDEM_SKIP_BUILD", "1");
        env.put(
                "TANDEM_CONFIG_FILE",
                ROOT.resolve("system-tests/src/test/resources/system-config.json")
                        .toString());
        env.put(
                "TANDEM_CONFIG_FILE_B",
                ROOT.resolve("system-tests/src/test/resources/system-config-b.json")
                        .toString());
        env.put("TANDEM_FAILOVER_STARTUP_TIME", "3s");
        env.put("TANDEM_FAILOVER_RECONNECT_INTERVAL", "1s");
        env.put("TANDEM_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("TANDEM_ADMIN_READER_PASSWORD", READER_PASSWORD);
        return env;
    }

    static String script(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("deploy/local/tandem-local.sh").toString());
        command.addAll(List.of(args));
        return run(Duration.ofMinutes(5), env(), command);
    }

    static void start() {
        start(Map.of());
    }

    /** Starts the stack with settings of its own (TANDEM_RELAY_SERVERS, say) on top of the usual ones. */
    static void start(Map<String, String> settings) {
        script("purge"); // a previous run that was cut off leaves nothing behind
        ClientAcks.clear();
        Map<String, String> env = env();
        env.putAll(settings);
        run(
                Duration.ofMinutes(5),
                env,
                List.of(ROOT.resolve("deploy/local/tandem-local.sh").toString(), "start"));
    }

    static void stop() {
        script("purge");
    }

    static String run(Duration limit, String... command) {
        return run(limit, Map.of(), List.of(command));
    }

    /** Runs a command to its end within the limit; fails the test with its output when it fails. */
    static String run(Duration limit, Map<String, String> env, List<String> command) {
        try {
            Files.createDirectories(WORK);
            Path out = Files.createTempFile(WORK, "cmd", ".log");
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish within " + limit + ":\n" + Files.readString(out));
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("%s exited with\n%s", command, output).isZero();
            return output;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code ip netns exec <namespace> <command...>}: a command run in one of the lab's namespaces. */
    static List<String> inNamespace(String namespace, String... command) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        out.addAll(List.of(command));
        return out;
    }

    /** {@code ip -n <namespace> <args>}: a change of (or a look at) a namespace's links, addresses, routes or rules. */
    static String ip(String namespace, String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", namespace));
        command.addAll(List.of(args));
        return run(Duration.ofSeconds(10), Map.of(), command);
    }

    /** Starts a long-running command in the background, its output to a file. */
    static Process spawn(Path output, Map<String, String> env, String... command) {
        try {
            Files.createDirectories(WORK);
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            pb.environment().putAll(env);
            return pb.start();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The pid of each Tandem service the script started, by name (not Kafka, PostgreSQL or the relay). */
    static Map<String, String> servicePids() throws IOException {
        Map<String, String> pids = new java.util.TreeMap<>();
        try (var files = Files.list(Path.of(env().get("TANDEM_RUN_DIR"), "pids"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString().replace(".pid", "");
                if (!List.of("kafka", "dhcrelay").contains(name)) {
                    pids.put(name, Files.readString(f).trim());
                }
            }
        }
        return pids;
    }

    static Connection database() throws SQLException {
        return database("dhcp-a");
    }

    /** A server's lease database, as its lease-services' role. */
    static Connection database(String server) throws SQLException {
        return connect(server, "tandem_" + server.replace('-', '_'), LEASE_ROLE);
    }

    /** The roles of the local stack: one per service kind (deploy/local/tandem-local.sh). */
    static final String LEASE_ROLE = "tandem_lease";

    static final String ADMIN_ROLE = "tandem_admin";

    /** A connection to a database of a server's PostgreSQL as a role, with the password the stack made for it. */
    static Connection connect(String server, String database, String role) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + pgPort(server) + "/" + database, role, password(role));
    }

    /** The password the local stack made for a database role (in its run directory). */
    static String password(String role) {
        try {
            return Files.readString(Path.of(env().get("TANDEM_RUN_DIR"), "db", role + ".password"))
                    .trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every record on a topic of the first server's Kafka, from its beginning to its end as it is now. */
    static List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> records(String topic) {
        java.util.Properties p = kafkaClient(KAFKA_ADMIN);
        p.put("group.id", "system-test-" + java.util.UUID.randomUUID());
        p.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        p.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> records = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(p)) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(20));
            if (infos == null || infos.isEmpty()) {
                throw new AssertionError("no topic " + topic);
            }
            var partitions = infos.stream()
                    .map(info -> new org.apache.kafka.common.TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions, Duration.ofSeconds(20));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end within 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Each server has a PostgreSQL of its own (deploy/local/tandem-local.sh): the second one's on the next port. */
    static int pgPort(String server) {
        return "dhcp-a".equals(server) ? PG_PORT : PG_PORT + 1;
    }

    /**
     * Makes a server new, as one that replaces a lost machine: its lease database is dropped and created empty, and
     * the failover state its coordinator stored for the relationship is deleted (a tombstone on its compacted topic).
     * Its services must be stopped.
     */
    static void forgetServer(String server, String relationship) throws Exception {
        loseDatabase(server);
        java.util.Properties p = kafkaClient(KAFKA_ADMIN);
        p.put("acks", "all");
        p.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        p.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(p)) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                            "tandem." + server + ".failover-state", relationship, null))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** A server's lease database is lost: dropped and created empty, as a disk replaced. Its lease-service must be stopped. */
    static void loseDatabase(String server) throws SQLException {
        String db = "tandem_" + server.replace('-', '_');
        try (Connection c = connect(server, "postgres", "postgres");
                java.sql.Statement s = c.createStatement()) {
            s.execute("DROP DATABASE " + db + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + db + " OWNER " + LEASE_ROLE);
            s.execute("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC");
        }
    }

    /** The failover relationships of a server as its coordinator reports them (JSON). */
    static String relationships(String server) {
        return coordinatorGet(server, "/api/v1/relationships");
    }

    /** A server's coordinator's Prometheus metrics. */
    static String coordinatorMetrics(String server) {
        return coordinatorGet(server, "/q/metrics");
    }

    /** GET from a server's coordinator; dhcp-b's listens in the peer namespace. */
    private static String coordinatorGet(String server, String path) {
        boolean b = server.equals("dhcp-b");
        String url = "http://127.0.0.1:" + (HTTP_BASE + (b ? 22 : 2)) + path;
        return b
                ? run(Duration.ofSeconds(15), "ip", "netns", "exec", PREFIX + "-peer", "curl", "-sf", "-m", "5", url)
                : run(Duration.ofSeconds(15), "curl", "-sf", "-m", "5", url);
    }

    /** POSTs an operator command to a server's coordinator. */
    static String command(String server, String relationship, String command) {
        return command(server, relationship, command, "POST");
    }

    /** A coordinator command, with the command credential the stack made (as the admin API presents it). */
    static String command(String server, String relationship, String command, String method) {
        boolean b = server.equals("dhcp-b");
        String url = "http://127.0.0.1:" + (HTTP_BASE + (b ? 22 : 2)) + "/api/v1/relationships/" + relationship + "/"
                + command;
        List<String> cmd = new ArrayList<>();
        if (b) {
            cmd.addAll(List.of("ip", "netns", "exec", PREFIX + "-peer"));
        }
        String token;
        try {
            token = Files.readString(Path.of(env().get("TANDEM_RUN_DIR"), "admin", "command-token"))
                    .strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cmd.addAll(List.of("curl", "-sf", "-m", "10", "-X", method, "-H", "Authorization: Bearer " + token, url));
        return run(Duration.ofSeconds(15), Map.of(), cmd);
    }

    /**
     * What the gateway and lease-service of dhcp-a counted (drops by reason, decisions by outcome, queue times), to
     * say why a load test failed.
     */
    static String counters() {
        StringBuilder out = new StringBuilder();
        for (int offset : new int[] {0, 1}) {
            String url = "http://127.0.0.1:" + (HTTP_BASE + offset) + "/q/metrics";
            try {
                String metrics = run(Duration.ofSeconds(15), "curl", "-sf", "-m", "10", url);
                metrics.lines()
                        .filter(l -> l.startsWith("tandem_pkt4_")
                                || l.startsWith("tandem_lease_requests_total")
                                || l.startsWith("tandem_lease_exchange_seconds{")
                                || l.startsWith("tandem_lease_request_queue_seconds{")
                                || l.startsWith("tandem_lease_batch_decide_seconds{"))
                        .forEach(l -> out.append(l).append('\n'));
            } catch (AssertionError e) {
                out.append(url).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return out.toString();
    }

    static String kafka() {
        return "127.0.0.1:" + KAFKA_PORT;
    }

    /** The super user the local stack's own tools log in to Kafka as (every service has a principal of its own). */
    static final String KAFKA_ADMIN = "tandem-admin";

    /**
     * Settings for a Kafka client of the first server's Kafka that logs in as {@code principal}, with the password the
     * local stack made for it (in its run directory).
     */
    static java.util.Properties kafkaClient(String principal) {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newBufferedReader(
                Path.of(env().get("TANDEM_RUN_DIR"), "kafka-users", principal + ".properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        p.put("bootstrap.servers", kafka());
        return p;
    }
}

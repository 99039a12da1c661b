package dev.tandem.admin.tools;

import dev.tandem.protocol.bus.TopicPlan;
import dev.tandem.protocol.bus.TopicPlan.Topic;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics of {@link TopicPlan} on a Kafka that Tandem does not manage (the chart's hook Job, with the
 * admin-api image) and checks the ones already there: a topic whose order matters must have one partition, a compacted
 * one must be compacted. Nothing existing is changed. Exits 0 when every topic is as it must be, else 1 with each
 * problem on a line.
 *
 * <p>{@code java -cp '/deployments/app/*:/deployments/lib/main/*' dev.tandem.admin.tools.CreateTopics SERVER,SERVER
 * PARTITIONS REPLICATION-FACTOR}; the Kafka client settings come from the environment as for the services:
 * KAFKA_BOOTSTRAP_SERVERS, TANDEM_KAFKA_SECURITY_PROTOCOL (SASL_* : SCRAM-SHA-512 as TANDEM_KAFKA_USERNAME with
 * TANDEM_KAFKA_PASSWORD), KAFKA_SSL_TRUSTSTORE_TYPE and KAFKA_SSL_TRUSTSTORE_LOCATION.
 */
public final class CreateTopics {

    private static final long TIMEOUT_SECONDS = 60;

    private CreateTopics() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: CreateTopics SERVER[,SERVER...] PARTITIONS REPLICATION-FACTOR");
            System.exit(2);
        }
        List<String> servers = List.of(args[0].split(","));
        int partitions = Integer.parseInt(args[1]);
        short replicationFactor = Short.parseShort(args[2]);
        try (Admin admin = Admin.create(clientProperties(System.getenv()))) {
            List<String> problems = ensure(admin, TopicPlan.topics(servers, partitions), replicationFactor, System.out);
            problems.forEach(p -> System.err.println("PROBLEM " + p));
            System.exit(problems.isEmpty() ? 0 : 1);
        }
    }

    /** The Kafka client settings of the environment, named as the services' (protocol's microprofile-config). */
    static Properties clientProperties(Map<String, String> env) {
        Properties p = new Properties();
        String bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("KAFKA_BOOTSTRAP_SERVERS is not set");
        }
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        String protocol = env.getOrDefault("TANDEM_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
        p.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, protocol);
        if (protocol.startsWith("SASL_")) {
            p.put("sasl.mechanism", "SCRAM-SHA-512");
            p.put(
                    "sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                            + env.getOrDefault("TANDEM_KAFKA_USERNAME", "") + "\" password=\""
                            + env.getOrDefault("TANDEM_KAFKA_PASSWORD", "") + "\";");
        }
        if (env.containsKey("KAFKA_SSL_TRUSTSTORE_LOCATION")) {
            p.put("ssl.truststore.location", env.get("KAFKA_SSL_TRUSTSTORE_LOCATION"));
            p.put("ssl.truststore.type", env.getOrDefault("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM"));
        }
        return p;
    }

    /** Creates the missing topics, checks the others; returns the problems (empty: all as planned). */
    static List<String> ensure(Admin admin, List<Topic> plan, short replicationFactor, PrintStream out)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<String> problems = new ArrayList<>();
        List<Topic> missing =
                plan.stream().filter(t -> !existing.contains(t.name())).toList();
        for (Topic t : missing) {
            NewTopic topic = new NewTopic(t.name(), t.partitions(), replicationFactor)
                    .configs(
                            t.compacted()
                                    ? Map.of(
                                            TopicConfig.CLEANUP_POLICY_CONFIG,
                                            TopicConfig.CLEANUP_POLICY_COMPACT,
                                            TopicConfig.SEGMENT_MS_CONFIG,
                                            Long.toString(TopicPlan.COMPACTED_SEGMENT_MS))
                                    : Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));
            try {
                admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                out.printf(
                        "created %s: %d partition(s), replication factor %d, %s%n",
                        t.name(), t.partitions(), replicationFactor, t.compacted() ? "compacted" : "delete");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    problems.add(t.name() + ": not created: " + e.getCause().getMessage());
                }
            }
        }
        List<Topic> present =
                plan.stream().filter(t -> existing.contains(t.name())).toList();
        if (!present.isEmpty()) {
            problems.addAll(check(admin, present, out));
        }
        return problems;
    }

    private static List<String> check(Admin admin, Collection<Topic> topics, PrintStream out)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        Map<String, TopicDescription> descriptions = admin.describeTopics(
                        topics.stream().map(Topic::name).toList())
                .allTopicNames()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<ConfigResource, Config> configs = admin.describeConfigs(topics.stream()
                        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name()))
                        .collect(Collectors.toList()))
                .all()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<String> problems = new ArrayList<>();
        for (Topic t : topics) {
            int partitions = descriptions.get(t.name()).partitions().size();
            String policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()))
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                    .value();
            boolean compacted = policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT);
            if (t.partitions() == 1 && partitions != 1) {
                problems.add(
                        t.name() + ": has " + partitions + " partitions; its order needs exactly one (recreate it)");
            } else if (partitions < t.partitions()) {
                out.printf(
                        "note %s: %d partition(s), fewer than %d: fewer replicas can share its work%n",
                        t.name(), partitions, t.partitions());
            }
            if (compacted != t.compacted()) {
                problems.add(t.name() + ": cleanup.policy is " + policy + ", must be "
                        + (t.compacted() ? "compact" : "delete"));
            }
            if (problems.isEmpty() || !problems.get(problems.size() - 1).startsWith(t.name())) {
                out.printf("present %s: %d partition(s), %s%n", t.name(), partitions, policy);
            }
        }
        return problems;
    }
}

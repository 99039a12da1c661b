package dev.tandem.admin.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.bus.TopicPlan;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.testsupport.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** The hook Job's topic creation against a real broker: created as planned, idempotent, and wrong topics reported. */
class CreateTopicsTest {

    /**
     * The servers' own topics of the plan: the shared ones exist already in this JVM's broker, made by the other
     * tests' services as the broker's defaults make them.
     */
    static List<TopicPlan.Topic> plan(List<String> servers) {
        return TopicPlan.topics(servers, 3).stream()
                .filter(t -> servers.stream().anyMatch(s -> t.name().startsWith("tandem." + s + ".")))
                .toList();
    }

    static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        return Admin.create(p);
    }

    static Config config(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
    }

    @Test
    void createsEveryTopicOfThePlanAndThenFindsThemAsPlanned() throws Exception {
        List<String> servers = List.of("topics-a", "topics-b");
        try (Admin admin = admin()) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            List<String> problems = CreateTopics.ensure(
                    admin, plan(servers), (short) 1, new PrintStream(log, true, StandardCharsets.UTF_8));
            assertThat(problems).isEmpty();
            for (String server : servers) {
                assertThat(admin.describeTopics(List.of(Topics.leaseRequests(server)))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get(Topics.leaseRequests(server))
                                .partitions())
                        .hasSize(3);
                assertThat(admin.describeTopics(List.of(Topics.bindingUpdates(server)))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get(Topics.bindingUpdates(server))
                                .partitions())
                        .hasSize(1);
                Config state = config(admin, Topics.failoverState(server));
                assertThat(state.get("cleanup.policy").value()).isEqualTo("compact");
                assertThat(state.get("segment.ms").value()).isEqualTo("3600000");
                assertThat(config(admin, Topics.leaseReplies(server))
                                .get("cleanup.policy")
                                .value())
                        .isEqualTo("delete");
            }
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("created tandem.topics-a.binding-updates");

            ByteArrayOutputStream again = new ByteArrayOutputStream();
            assertThat(CreateTopics.ensure(
                            admin, plan(servers), (short) 1, new PrintStream(again, true, StandardCharsets.UTF_8)))
                    .isEmpty();
            assertThat(again.toString(StandardCharsets.UTF_8))
                    .doesNotContain("created ")
                    .contains("present tandem.topics-b.failover-state: 1 partition(s), compact");
        }
    }

    @Test
    void aTopicWhoseOrderOrCompactionIsWrongIsReportedAndLeftAlone() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(
                            new NewTopic(Topics.bindingUpdates("topics-c"), 3, (short) 1),
                            new NewTopic(Topics.failoverState("topics-c"), 1, (short) 1)
                                    .configs(Map.of("cleanup.policy", "delete"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            List<String> problems = CreateTopics.ensure(
                    admin,
                    plan(List.of("topics-c")),
                    (short) 1,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertThat(problems)
                    .containsExactlyInAnyOrder(
                            "tandem.topics-c.binding-updates: has 3 partitions; its order needs exactly one"
                                    + " (recreate it)",
                            "tandem.topics-c.failover-state: cleanup.policy is delete, must be compact");
            assertThat(admin.describeTopics(List.of(Topics.bindingUpdates("topics-c")))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(Topics.bindingUpdates("topics-c"))
                            .partitions())
                    .as("left as it was")
                    .hasSize(3);
        }
    }

    @Test
    void theClientSettingsAreTheServicesOwn() {
        Properties scram = CreateTopics.clientProperties(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9093",
                "TANDEM_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "TANDEM_KAFKA_USERNAME", "tandem-topics",
                "TANDEM_KAFKA_PASSWORD", "secret",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/tandem/kafka-ca/ca.crt",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM"));
        assertThat(scram.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(scram.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(scram.getProperty("sasl.jaas.config")).contains("username=\"tandem-topics\" password=\"secret\"");
        assertThat(scram.getProperty("ssl.truststore.location")).isEqualTo("/etc/tandem/kafka-ca/ca.crt");
        assertThat(CreateTopics.clientProperties(Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"))
                        .getProperty("security.protocol"))
                .isEqualTo("PLAINTEXT");
        assertThatThrownBy(() -> CreateTopics.clientProperties(Map.of()))
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS is not set");
    }
}

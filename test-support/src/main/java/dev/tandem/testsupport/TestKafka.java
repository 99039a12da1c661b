package dev.tandem.testsupport;

import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.time.Duration;

/** One real Kafka broker (KRaft, in this JVM) shared by every test of the JVM; stopped when the JVM exits. */
public final class TestKafka {

    private static EmbeddedKafkaBroker broker;

    private TestKafka() {}

    public static synchronized String bootstrapServers() {
        java.util.Optional<String> running = JvmShared.get("kafka-bootstrap");
        if (running.isPresent()) {
            return running.get();
        }
        if (broker == null) {
            broker = new EmbeddedKafkaBroker()
                    .withNodeId(1)
                    .withDeleteLogDirsOnClose(true)
                    .withAdditionalProperties(p -> {
                        p.put("group.initial.rebalance.delay.ms", "0");
                        p.put("offsets.topic.replication.factor", "1");
                        p.put("transaction.state.log.replication.factor", "1");
                        p.put("transaction.state.log.min.isr", "1");
                        p.put("num.partitions", "4");
                        p.put("auto.create.topics.enable", "true");
                        p.put("log.cleaner.backoff.ms", "1000");
                    })
                    .start();
            EmbeddedKafkaBroker started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-kafka-stop"));
        }
        String bootstrap = broker.getAdvertisedListeners().replace("PLAINTEXT://", "");
        JvmShared.put("kafka-bootstrap", bootstrap);
        return bootstrap;
    }

    /**
     * Creates the topic with this many partitions unless it exists. The broker creates any other topic on first use
     * with 4; a topic whose order matters (a server's binding updates and their end-of-resend markers) has one, as the
     * local stack and the chart create it.
     */
    public static void createTopic(String name, int partitions) {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            admin.createTopics(
                            java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
    }

    /** A plain client for producing and consuming in tests; close it after use. */
    public static KafkaCompanion companion() {
        return new KafkaCompanion(bootstrapServers(), Duration.ofSeconds(20));
    }
}

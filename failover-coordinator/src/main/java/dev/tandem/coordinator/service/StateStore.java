package dev.tandem.coordinator.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.coordinator.config.ConfigDocuments;
import dev.tandem.coordinator.config.CoordinatorConfig;
import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.protocol.config.ServerSettings;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads back the states this server published: the compacted failover-state topic (written with acks=all) is the
 * coordinator's stable storage, so a restarted coordinator resumes from the state it was in (draft §9.1, §9.3.2).
 */
@ApplicationScoped
public class StateStore {

    private final Map<String, Object> kafka;
    private final String topic;
    private final ObjectMapper mapper;
    private final ConfigDocuments documents;

    public StateStore(
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            CoordinatorConfig config,
            ObjectMapper mapper,
            ConfigDocuments documents) {
        this.kafka = kafka;
        this.topic = Topics.failoverState(config.server());
        this.mapper = mapper;
        this.documents = documents;
    }

    /** The last state of each relationship; empty for a new server. Blocks until the topic is read to its end. */
    public Map<String, FailoverStatus> read() {
        Map<String, FailoverStatus> out = new HashMap<>();
        readToEnd(topic, record -> {
            if (record.value() == null) {
                out.remove(record.key());
                return;
            }
            try {
                FailoverStatus status = mapper.readValue(record.value(), FailoverStatus.class);
                if (status.server().equals(topic.split("\\.")[1])) {
                    out.put(record.key(), status);
                }
            } catch (Exception e) {
                Log.warnf("Ignoring an unreadable stored failover state for %s: %s", record.key(), e.getMessage());
            }
        });
        return out;
    }

    /**
     * The newest revision of this server's configuration on the (compacted) configuration topic that passes
     * validation; -1 if none. A starting coordinator applies only that one: the older documents still on the topic
     * would each start a relationship that the next one replaces, and a connection opened and dropped at once leaves
     * an ISC partner waiting on the update request of the dropped one.
     */
    public long newestValidConfigRevision(String server) {
        long[] newest = {-1};
        readToEnd(Topics.CONFIG, record -> {
            if (record.value() == null || !server.equals(record.key())) {
                return;
            }
            try {
                ServerSettings settings = documents.read(record.value());
                newest[0] = Math.max(newest[0], settings.revision());
            } catch (Exception e) {
                // refused when it arrives on the channel, and logged there
            }
        });
        return newest[0];
    }

    private void readToEnd(String topic, java.util.function.Consumer<ConsumerRecord<String, String>> each) {
        // the service's own Kafka settings (brokers, and its credentials when the bus asks for them); no group: the
        // consumer is assigned its partitions and commits nothing
        Properties props = new Properties();
        kafka.forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key) && !key.equals(ConsumerConfig.GROUP_ID_CONFIG)) {
                props.put(key, value);
            }
        });
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " took over 60 s");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(record);
                }
            }
        }
    }
}

package dev.tandem.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.bus.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads the public lease-events topic from the start, as an outside consumer (IPAM, audit) would. */
final class LeaseEvents {

    private static final ObjectMapper JSON = Json.mapper();

    private LeaseEvents() {}

    static List<LeaseEvent> all() {
        Properties p = new Properties();
        p.put("bootstrap.servers", Stack.kafka());
        p.put("group.id", "system-test-" + UUID.randomUUID());
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        List<LeaseEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(Topics.LEASE_EVENTS, Duration.ofSeconds(20)).stream()
                            .map(info -> new TopicPartition(info.topic(), info.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(20));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read lease-events to its end within 60 s");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        LeaseEvent event = JSON.readValue(record.value(), LeaseEvent.class);
                        if (!record.key().equals(event.address())) {
                            throw new AssertionError("event keyed " + record.key() + " is about " + event.address());
                        }
                        events.add(event);
                    } catch (java.io.IOException e) {
                        throw new AssertionError("lease event is not LeaseEvent v1 JSON: " + record.value(), e);
                    }
                }
            }
        }
        events.sort(Comparator.comparingLong(LeaseEvent::sequence));
        return events;
    }

    static List<LeaseEvent> forAddress(String address) {
        return all().stream().filter(e -> e.address().equals(address)).toList();
    }

    /**
     * The invariant that matters most: no address bound to two clients at once. Walks every address's events in order
     * and returns each violation found.
     */
    static List<String> duplicateBindings(List<LeaseEvent> events) {
        record Holder(String client, Instant until) {}
        Map<String, Holder> holders = new HashMap<>();
        List<String> violations = new ArrayList<>();
        for (LeaseEvent e : events) {
            Holder current = holders.get(e.address());
            switch (e.type()) {
                case "committed", "renewed" -> {
                    if (current != null
                            && !current.client().equals(e.clientKey())
                            && e.at().isBefore(current.until())) {
                        violations.add(e.address() + " bound to " + e.clientKey() + " at " + e.at() + " while "
                                + current.client() + " held it until " + current.until());
                    }
                    holders.put(e.address(), new Holder(e.clientKey(), e.expiresAt()));
                }
                default -> holders.remove(e.address());
            }
        }
        return violations;
    }
}

import java.io.FileReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Copies topics from one Kafka cluster to another, record for record (same topic, partition, key, value and headers),
 * as MirrorMaker 2 with its identity replication policy does in a deployment where each server has a Kafka of its own:
 * {@code java -cp 'kafka-lib/*' Mirror.java CLIENT-PROPERTIES SOURCE TARGET GROUP TOPIC...}, logging in to both clusters
 * with the client properties (its own principal, which may read and write only the mirrored topics). At least once: the source offsets are
 * committed (in the source cluster, under GROUP) only after the target has acknowledged the copies (acks=all), so a
 * restart of either cluster or of this process repeats records and loses none. The topics must exist on both sides
 * with the same partitions. An error is logged and the copy goes on from the committed offsets; the clients reconnect
 * to a cluster that comes back by themselves.
 */
public class Mirror {
    private static final Map<String, Object> CLIENT = new HashMap<>();

    public static void main(String[] args) throws IOException {
        Properties client = new Properties();
        try (Reader in = new FileReader(args[0])) {
            client.load(in);
        }
        client.forEach((k, v) -> CLIENT.put((String) k, v));
        String source = args[1];
        String target = args[2];
        List<String> topics = List.of(args).subList(4, args.length);
        System.out.printf("Mirroring %s from %s to %s%n", topics, source, target);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(with(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source,
                ConsumerConfig.GROUP_ID_CONFIG, args[3],
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * 1024 * 1024,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            consumer.subscribe(topics);
            KafkaProducer<byte[], byte[]> producer = producer(target);
            boolean rewind = false;
            while (true) {
                try {
                    if (rewind) {
                        rewind(consumer);
                        rewind = false;
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                    if (records.isEmpty()) {
                        continue;
                    }
                    List<Future<RecordMetadata>> copies = new ArrayList<>();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        copies.add(producer.send(new ProducerRecord<>(
                                r.topic(), r.partition(), r.timestamp(), r.key(), r.value(), r.headers())));
                    }
                    for (Future<RecordMetadata> copy : copies) {
                        // a copy that failed throws (within the producer's delivery timeout): the offsets below
                        // are then not committed
                        copy.get();
                    }
                    consumer.commitSync(COMMIT_TIMEOUT);
                } catch (Exception e) {
                    // The clients reconnect by themselves, and each call above waits at most its own timeout: the
                    // copy goes on from the committed offsets, with a new producer (a failed one may stay failed).
                    System.err.printf("Mirroring failed (%s); going on from the committed offsets%n", e);
                    producer.close(Duration.ZERO);
                    producer = producer(target);
                    rewind = true;
                }
            }
        }
    }

    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);

    private static KafkaProducer<byte[], byte[]> producer(String target) {
        return new KafkaProducer<>(with(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    /** The client properties (credentials) with these settings. */
    private static Map<String, Object> with(Object... settings) {
        Map<String, Object> all = new HashMap<>(CLIENT);
        for (int i = 0; i < settings.length; i += 2) {
            all.put((String) settings[i], settings[i + 1]);
        }
        return all;
    }

    /** Back to the committed offsets of the partitions this consumer holds (the start, where none is committed). */
    private static void rewind(KafkaConsumer<byte[], byte[]> consumer) {
        Set<TopicPartition> held = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(held, COMMIT_TIMEOUT);
        for (TopicPartition tp : held) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, offset);
            }
        }
    }
}

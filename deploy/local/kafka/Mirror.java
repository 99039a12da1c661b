import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Copies topics from one Kafka cluster to another, record for record (same topic, partition, key, value and headers),
 * as MirrorMaker 2 with its identity replication policy does in a deployment where each server has a Kafka of its own:
 * {@code java -cp 'kafka-lib/*' Mirror.java SOURCE TARGET GROUP TOPIC...}. At least once: the source offsets are
 * committed (in the source cluster, under GROUP) only after the target has acknowledged the copies (acks=all), so a
 * restart of either cluster or of this process repeats records and loses none. The topics must exist on both sides
 * with the same partitions. Any error is logged and the copy starts again from the committed offsets a second later.
 */
public class Mirror {
    public static void main(String[] args) throws InterruptedException {
        String source = args[0];
        String target = args[1];
        String group = args[2];
        List<String> topics = List.of(args).subList(3, args.length);
        System.out.printf("Mirroring %s from %s to %s%n", topics, source, target);
        while (true) {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source,
                            ConsumerConfig.GROUP_ID_CONFIG, group,
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                            ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * 1024 * 1024,
                            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
                    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target,
                            ProducerConfig.ACKS_CONFIG, "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                            ProducerConfig.LINGER_MS_CONFIG, 0,
                            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
                consumer.subscribe(topics);
                while (true) {
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
                        copy.get(); // a copy that failed throws: the offsets below are then not committed
                    }
                    consumer.commitSync();
                }
            } catch (Exception | Error e) { // whatever it was, the copy goes on from the committed offsets
                System.err.printf("Mirroring stopped (%s); starting again from the committed offsets%n", e);
                Thread.sleep(1000);
            }
        }
    }
}

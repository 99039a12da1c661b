package dev.tandem.admin.rest;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.testsupport.TestKafka;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Calls of the admin API as its two roles, and what it published. */
final class Api {

    static final ObjectMapper JSON = Json.mapper();

    private Api() {}

    static RequestSpecification admin() {
        return given().auth().preemptive().basic("admin", "admin-password").contentType(ContentType.JSON);
    }

    static RequestSpecification reader() {
        return given().auth().preemptive().basic("viewer", "viewer-password").contentType(ContentType.JSON);
    }

    static Map<String, Object> server(String name, String id, String failover) {
        Map<String, Object> s = new HashMap<>();
        s.put("name", name);
        s.put("serverIdentifier", id);
        s.put("failoverAddress", failover);
        return s;
    }

    static Map<String, Object> scope(String subnet, String first, String last) {
        Map<String, Object> s = new HashMap<>();
        s.put("subnet", subnet);
        s.put("name", "office " + subnet);
        s.put("ranges", List.of(Map.of("first", first, "last", last)));
        s.put("leaseTime", 3600);
        s.put("options", Map.of("routers", first));
        return s;
    }

    static Map<String, Object> relationship(String name, String primary, String secondary) {
        Map<String, Object> r = new HashMap<>();
        r.put("name", name);
        r.put("primaryServer", primary);
        r.put("secondaryServer", secondary);
        r.put("mclt", 600);
        return r;
    }

    static void createServer(String name, String id, String failover) {
        admin().body(server(name, id, failover)).post("/api/v1/servers").then().statusCode(201);
    }

    /** Replaces a scope of a server with its current ETag. */
    static void changeScope(String server, String subnet, Map<String, Object> scope) {
        String etag = reader().get("/api/v1/servers/" + server + "/scopes/" + subnet)
                .then()
                .statusCode(200)
                .extract()
                .header("ETag");
        admin().header("If-Match", etag)
                .body(scope)
                .put("/api/v1/servers/" + server + "/scopes/" + subnet)
                .then()
                .statusCode(200);
    }

    /** The newest configuration document of a server on the configuration topic, or null. */
    static ServerConfig published(String server) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CONFIG).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            ServerConfig latest = null;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    if (server.equals(r.key()) && r.value() != null) {
                        ServerConfig c = JSON.readValue(r.value(), ServerConfig.class);
                        if (latest == null || c.revision() > latest.revision()) {
                            latest = c;
                        }
                    }
                }
            }
            return latest;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

package dev.tandem.gateway.udp;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.gateway.service.GatewayService;
import dev.tandem.gateway.service.SettingsHolder;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseReply.OptionValue;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.DhcpOption;
import dev.tandem.protocol.dhcp.MessageType;
import dev.tandem.protocol.dhcp.SubOptions;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.testsupport.DhcpTestClient;
import dev.tandem.testsupport.Schemas;
import dev.tandem.testsupport.ServerConfigs;
import dev.tandem.testsupport.TandemTestResources;
import dev.tandem.testsupport.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway over a real socket and a real broker. The test plays the relay agent on loopback and, where a decision
 * is needed, answers lease requests on Kafka the way the lease-service does.
 */
@QuarkusTest
@QuarkusTestResource(TandemTestResources.class)
class GatewayFlowTest {

    static final ObjectMapper JSON = Json.mapper();

    @Inject
    SettingsHolder settings;

    @Inject
    GatewayService gateway;

    final List<LeaseRequest> seen = new CopyOnWriteArrayList<>();
    /** What the stand-in lease-service found wrong in a request against its schema (asserted after each test). */
    final List<String> schemaProblems = new CopyOnWriteArrayList<>();

    final AtomicBoolean answering = new AtomicBoolean(true);
    Thread replier;
    volatile boolean stop;

    @BeforeEach
    void setUp() throws Exception {
        if (settings.current().isEmpty()) {
            ServerConfig config =
                    ServerConfigs.oneScope("192.0.2.0/24", "192.0.2.10", "192.0.2.20", 600, Map.of(), List.of());
            try (KafkaProducer<String, String> producer = producer()) {
                producer.send(new ProducerRecord<>(Topics.CONFIG, "dhcp-a", JSON.writeValueAsString(config)))
                        .get();
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> settings.current().isPresent());
        await().atMost(Duration.ofSeconds(60))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        stop = false;
        replier = new Thread(this::replyLoop, "test-lease-service");
        replier.start();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        stop = true;
        replier.join(10_000);
        assertThat(schemaProblems).as("lease requests against lease-request.v1").isEmpty();
    }

    /** How many packets the gateway dropped for the reason so far (0 before the first). */
    static double dropped(String reason) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "tandem_pkt4_dropped_total\\{reason=\"" + reason + "\"} ([0-9.eE+-]+)")
                .matcher(given().get("/q/metrics").asString());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", TestKafka.bootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Answers every DISCOVER with an OFFER of 192.0.2.10, as the lease-service would. */
    void replyLoop() {
        Properties p = new Properties();
        p.put("bootstrap.servers", TestKafka.bootstrapServers());
        p.put("group.id", "test-lease-service");
        p.put("auto.offset.reset", "latest");
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
                KafkaProducer<String, String> producer = producer()) {
            consumer.subscribe(List.of(Topics.leaseRequests("dhcp-a")));
            while (!stop) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    // asserted on the test's thread (a failure here would fail nothing)
                    schemaProblems.addAll(Schemas.problems("lease-request.v1", record.value()));
                    LeaseRequest request = JSON.readValue(record.value(), LeaseRequest.class);
                    seen.add(request);
                    if (!answering.get()) {
                        continue;
                    }
                    LeaseReply reply = new LeaseReply(
                            1, "OFFER", "192.0.2.10", 600L, 300L, 525L, List.of(new OptionValue(1, "ffffff00")), null);
                    Header correlation =
                            record.headers().lastHeader(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER);
                    String topic = new String(record.headers()
                            .lastHeader(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER)
                            .value());
                    ProducerRecord<String, String> out =
                            new ProducerRecord<>(topic, record.key(), JSON.writeValueAsString(reply));
                    out.headers().add(correlation);
                    producer.send(out).get();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static DhcpMessage discover(int xid) {
        return DhcpMessage.builder()
                .xid(xid)
                .hops(1)
                .giaddr(Ipv4.parse("127.0.0.1"))
                .chaddr(new byte[] {2, 0, 0x5e, 0, 1, 1})
                .messageType(MessageType.DISCOVER)
                .option(DhcpOption.SUBNET_SELECTION, "192.0.2.0")
                .option(DhcpOption.RELAY_AGENT_INFORMATION, SubOptions.encode(Map.of(1, new byte[] {'e', 't', 'h', '0'
                })))
                .option(DhcpOption.PARAMETER_REQUEST_LIST, "1, 3, 6")
                .build();
    }

    @Test
    void relayedDiscoverIsAnsweredWithTheLeaseServicesOfferAtTheRelay() {
        try (DhcpTestClient relay =
                new DhcpTestClient(DhcpTestClient.loopback(16768), DhcpTestClient.loopback(16767))) {
            Optional<DhcpMessage> offer = Optional.empty();
            for (int attempt = 0;
                    attempt < 10 && offer.isEmpty();
                    attempt++) { // the first exchange may hit a cold broker
                offer = relay.exchange(discover(1000 + attempt), Duration.ofSeconds(3));
            }
            assertThat(offer).isPresent();
            DhcpMessage reply = offer.get();
            assertThat(reply.op()).isEqualTo(DhcpMessage.BOOTREPLY);
            assertThat(reply.messageType()).contains(MessageType.OFFER);
            assertThat(reply.yiaddr()).isEqualTo(Ipv4.parse("192.0.2.10"));
            assertThat(reply.serverIdentifier()).contains(Ipv4.parse("192.0.2.1"));
            assertThat(reply.leaseTime()).contains(600L);
            assertThat(reply.giaddr()).isEqualTo(Ipv4.parse("127.0.0.1"));
            assertThat(reply.relayAgentInformation()).isPresent(); // RFC 3046: echoed to the relay

            LeaseRequest asked = seen.get(seen.size() - 1);
            assertThat(asked.scope()).isEqualTo("192.0.2.0/24");
            assertThat(asked.messageType()).isEqualTo("DISCOVER");
            assertThat(asked.clientKey()).isEqualTo("hw:1:02005e000101");
            assertThat(asked.parameterRequestList()).containsExactly(1, 3, 6);
        }
    }

    @Test
    void malformedAndUnscopedPacketsAreDroppedAndCounted() {
        try (DhcpTestClient relay =
                new DhcpTestClient(DhcpTestClient.loopback(16768), DhcpTestClient.loopback(16767))) {
            double tooShort = dropped("malformed-too-short");
            double noScope = dropped("no-scope");
            double tooLong = dropped("too-long");
            relay.sendRaw(new byte[] {1, 2, 3});
            relay.sendRaw(new byte[20_000]); // more than the gateway reads: never decoded
            relay.send(discover(2000).toBuilder()
                    .option(DhcpOption.SUBNET_SELECTION, "203.0.113.0")
                    .build());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(dropped("malformed-too-short")).isEqualTo(tooShort + 1);
                assertThat(dropped("no-scope")).isEqualTo(noScope + 1);
                assertThat(dropped("too-long")).isEqualTo(tooLong + 1);
            });
            assertThat(relay.receive(2000, Duration.ofMillis(500))).isEmpty();
        }
    }

    /** A Kea-named counter of one operation (Stork exporter names), 0 before the first. */
    static double kea(String name, String operation) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        name + "\\{[^}]*operation=\"" + operation + "\"[^}]*server=\"[^\"]+\"[^}]*} ([0-9.eE+-]+)")
                .matcher(given().get("/q/metrics").asString());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /**
     * The packet counters under Kea's names and labels move with Tandem's own: a discover received and its offer sent,
     * a malformed packet as parse-failed and as a drop.
     */
    @Test
    void keaNamedCountersFollowTandemsOwn() {
        try (DhcpTestClient relay =
                new DhcpTestClient(DhcpTestClient.loopback(16768), DhcpTestClient.loopback(16767))) {
            double discovers = kea("kea_dhcp4_packets_received_total", "discover");
            double offers = kea("kea_dhcp4_packets_sent_total", "offer");
            double parseFailed = kea("kea_dhcp4_packets_received_total", "parse-failed");
            double drops = kea("kea_dhcp4_packets_received_total", "drop");
            Optional<DhcpMessage> offer = Optional.empty();
            for (int attempt = 0; attempt < 10 && offer.isEmpty(); attempt++) {
                offer = relay.exchange(discover(3000 + attempt), Duration.ofSeconds(3));
            }
            assertThat(offer).isPresent();
            relay.sendRaw(new byte[] {1, 2, 3});
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(kea("kea_dhcp4_packets_received_total", "discover")).isGreaterThanOrEqualTo(discovers + 1);
                assertThat(kea("kea_dhcp4_packets_sent_total", "offer")).isGreaterThanOrEqualTo(offers + 1);
                assertThat(kea("kea_dhcp4_packets_received_total", "parse-failed"))
                        .isEqualTo(parseFailed + 1);
                assertThat(kea("kea_dhcp4_packets_received_total", "drop")).isEqualTo(drops + 1);
            });
        }
    }

    @Test
    void anUnansweredExchangeTimesOutAndIsCounted() {
        answering.set(false);
        double before = dropped("lease-timeout");
        try (DhcpTestClient relay =
                new DhcpTestClient(DhcpTestClient.loopback(16768), DhcpTestClient.loopback(16767))) {
            assertThat(relay.exchange(discover(3000), Duration.ofSeconds(3))).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> dropped("lease-timeout") == before + 1);
        } finally {
            answering.set(true);
        }
    }

    @Test
    void aRetransmissionWhileTheFirstCopyIsDecidedIsNotAskedAgain() {
        answering.set(false);
        double before = dropped("retransmission-in-flight");
        try (DhcpTestClient relay =
                new DhcpTestClient(DhcpTestClient.loopback(16768), DhcpTestClient.loopback(16767))) {
            for (int i = 0; i < 3; i++) {
                relay.send(discover(4000));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> dropped("retransmission-in-flight") == before + 2);
            // The first copy times out unanswered; a retransmission after that is a new exchange and is asked again.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> seen.stream().filter(r -> r.xid() == 4000).count() == 1 && gateway.inFlight() == 0);
            relay.send(discover(4000));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> seen.stream().filter(r -> r.xid() == 4000).count() == 2);
            assertThat(dropped("retransmission-in-flight")).isEqualTo(before + 2);
        } finally {
            answering.set(true);
        }
    }
}

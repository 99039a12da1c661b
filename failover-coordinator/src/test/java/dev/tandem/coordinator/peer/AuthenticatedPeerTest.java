package dev.tandem.coordinator.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Relationship;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.failover.FailoverCodec;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.FailoverOption;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.failover.LoadBalance;
import dev.tandem.protocol.failover.MessageAuthenticator;
import dev.tandem.protocol.failover.MessageType;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.testsupport.ServerConfigs;
import dev.tandem.testsupport.TandemTestResources;
import dev.tandem.testsupport.TestKafka;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.inject.Inject;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The coordinator as secondary of a relationship with a shared secret, driven by a scripted primary on loopback
 * speaking the draft's wire format: a signed handshake is accepted; a missing or wrong digest and a replayed message
 * are refused, counted and the connection closed.
 */
@QuarkusTest
@QuarkusTestResource(value = TandemTestResources.class, restrictToAnnotatedClass = true)
class AuthenticatedPeerTest {

    static final int PORT = 16470;
    static final String SECRET = "a-shared-secret";

    @Inject
    MeterRegistry metrics;

    @BeforeAll
    static void configure() throws Exception {
        ServerConfig base = ServerConfigs.oneScope(
                "192.0.2.0/24", "192.0.2.10", "192.0.2.20", 600, Map.of("routers", "192.0.2.1"), List.of());
        ServerConfigs.publish(ServerConfigs.withFailover(
                base,
                base.server(),
                new Relationship(
                        "fo",
                        "secondary",
                        "load-balance",
                        "127.0.0.1",
                        PORT,
                        "127.0.0.1",
                        PORT + 1,
                        60L,
                        null,
                        null,
                        null,
                        10L,
                        10,
                        3,
                        SECRET,
                        List.of("192.0.2.0/24"))));
    }

    /** A scripted primary: a TCP connection to the coordinator that signs with the given secret. */
    static final class Peer implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final MessageAuthenticator auth;

        Peer(String secret) throws IOException {
            this(secret, PORT);
        }

        Peer(String secret, int port) throws IOException {
            // a socket whose connect failed cannot connect again: a fresh one for every attempt, until the
            // coordinator listens
            socket = await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> open(port), java.util.Objects::nonNull);
            socket.setSoTimeout(10_000);
            in = new DataInputStream(socket.getInputStream());
            auth = secret == null ? null : new MessageAuthenticator(secret);
        }

        static Socket open(int port) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return s;
            } catch (IOException e) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to release
                }
                return null;
            }
        }

        void send(FailoverMessage m) throws IOException {
            socket.getOutputStream().write(auth == null ? FailoverCodec.encode(m) : auth.sign(m));
        }

        void sendRaw(byte[] wire) throws IOException {
            socket.getOutputStream().write(wire);
        }

        byte[] readRaw() throws IOException {
            return dev.tandem.coordinator.FailoverFrames.readRaw(in);
        }

        FailoverMessage read() throws IOException {
            byte[] wire = readRaw();
            assertThat(auth.verify(wire)).isEqualTo(MessageAuthenticator.Verdict.VALID);
            return MessageAuthenticator.withoutDigest(FailoverCodec.decode(wire));
        }

        boolean closedByServer() {
            try {
                while (true) {
                    readRaw();
                }
            } catch (EOFException | java.net.SocketException e) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static FailoverMessage connect(long xid) {
        return FailoverMessages.connect(
                        System.currentTimeMillis() / 1000, "fo", 10, 30, "scripted", 60, LoadBalance.Buckets.split(128))
                .withXid(xid);
    }

    double refused(String reason) {
        return counted("tandem_failover_messages_refused_total", reason);
    }

    double commandsRefused(String reason) {
        return counted("tandem_coordinator_commands_refused_total", reason);
    }

    double connectionsRefused() {
        return counted("tandem_failover_connections_refused_total", "not-the-partner");
    }

    /** A counter's count for the reason; 0 before it was first counted. */
    double counted(String name, String reason) {
        var counter = metrics.find(name).tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void signedHandshakeIsAcceptedAndTheStateExchanged() throws Exception {
        try (Peer peer = new Peer(SECRET)) {
            peer.send(connect(1));
            FailoverMessage ack = peer.read();
            assertThat(ack.messageType()).contains(MessageType.CONNECTACK);
            assertThat(ack.xid()).isEqualTo(1);
            assertThat(FailoverMessages.rejectReason(ack)).isEmpty();
            assertThat(ack.u32(FailoverOption.MAX_UNACKED_BNDUPD)).contains(10L);
            FailoverMessage state = peer.read();
            assertThat(state.messageType()).contains(MessageType.STATE);
            peer.send(FailoverMessages.state(System.currentTimeMillis() / 1000, FailoverState.RECOVER, false, 1)
                    .withXid(2));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> RestAssured.get("/api/v1/relationships/fo")
                    .then()
                    .statusCode(200)
                    .body("communicating", org.hamcrest.Matchers.is(true))
                    .body("partnerState", org.hamcrest.Matchers.is("RECOVER"))
                    .body("mclt", org.hamcrest.Matchers.is(60))
                    // operators' view beside the state: our unacknowledged updates and the partner's clock offset
                    .body("pendingUpdates", org.hamcrest.Matchers.is(0))
                    .body(
                            "clockSkewSeconds",
                            org.hamcrest.Matchers.both(org.hamcrest.Matchers.greaterThan(-3))
                                    .and(org.hamcrest.Matchers.lessThan(3))));
        }
    }

    @Test
    void poolRequestOutsideNormalIsAnsweredAtOnceWithNothingMoved() throws Exception {
        try (Peer peer = new Peer(SECRET)) {
            peer.send(connect(1));
            assertThat(peer.read().messageType()).contains(MessageType.CONNECTACK);
            peer.send(FailoverMessages.state(System.currentTimeMillis() / 1000, FailoverState.NORMAL, false, 1)
                    .withXid(2));
            peer.send(FailoverMessages.empty(MessageType.POOLREQ, System.currentTimeMillis() / 1000, 0)
                    .withXid(3));
            // this secondary has never been in contact before: it is not in NORMAL, so nothing moves (§7.6)
            FailoverMessage response = await().atMost(Duration.ofSeconds(20)).until(peer::read, m -> m.messageType()
                    .filter(MessageType.POOLRESP::equals)
                    .isPresent());
            assertThat(response.xid()).isEqualTo(3);
            assertThat(response.u32(FailoverOption.ADDRESSES_TRANSFERRED)).contains(0L);
        }
    }

    @Test
    void missingDigestIsRefusedCountedAndTheConnectionClosed() throws Exception {
        double before = refused("digest-missing");
        try (Peer peer = new Peer(null)) {
            peer.send(connect(1));
            assertThat(peer.closedByServer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> refused("digest-missing") > before);
    }

    @Test
    void wrongSecretIsRefusedCountedAndTheConnectionClosed() throws Exception {
        double before = refused("digest-mismatch");
        try (Peer peer = new Peer("not-the-secret")) {
            peer.send(connect(1));
            assertThat(peer.closedByServer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> refused("digest-mismatch") > before);
    }

    @Test
    void aReplayedMessageIsRefused() throws Exception {
        double before = refused("replay");
        try (Peer peer = new Peer(SECRET)) {
            byte[] contact =
                    peer.auth.sign(FailoverMessages.empty(MessageType.CONTACT, System.currentTimeMillis() / 1000, 0)
                            .withXid(5));
            peer.sendRaw(contact);
            peer.sendRaw(contact); // the same bytes again: xid not increasing
            assertThat(peer.closedByServer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> refused("replay") > before);
    }

    @Test
    void unknownRelationshipIsAnsweredWithReject8() throws Exception {
        try (Peer peer = new Peer(SECRET)) {
            peer.send(FailoverMessages.connect(
                            System.currentTimeMillis() / 1000, "other", 10, 30, "x", 60, LoadBalance.Buckets.split(128))
                    .withXid(1));
            FailoverMessage ack = peer.read();
            assertThat(FailoverMessages.rejectReason(ack))
                    .contains(dev.tandem.protocol.failover.RejectReason.INVALID_PARTNER);
            assertThat(peer.closedByServer()).isTrue();
        }
    }

    /**
     * The partner's update is answered only once the lease-service has made it durable, and it is never given up
     * while the connection lasts: the partner holds it in its window, and a dropped one would stop its updates for
     * good. Here the test plays the lease-service and leaves the first three requests unanswered.
     */
    @Test
    void aPartnerUpdateIsAskedAgainUntilTheLeaseServiceAnswersAndOnlyThenAcknowledged() throws Exception {
        String address = "192.0.2.15";
        try (KafkaCompanion kafka = TestKafka.companion();
                Peer peer = new Peer(SECRET)) {
            ConsumerTask<String, String> requests = kafka.consumeStrings()
                    .withGroupId("test-" + UUID.randomUUID())
                    .withOffsetReset(OffsetResetStrategy.EARLIEST)
                    .fromTopics(Topics.partnerUpdates("dhcp-a"));
            peer.send(connect(1));
            assertThat(peer.read().messageType()).contains(MessageType.CONNECTACK);
            peer.send(FailoverMessages.state(System.currentTimeMillis() / 1000, FailoverState.NORMAL, false, 1)
                    .withXid(2));
            long now = System.currentTimeMillis() / 1000;
            Binding binding = new Binding(
                    Ipv4.parse(address),
                    BindingStatus.ACTIVE,
                    null,
                    HexFormat.of().parseHex("0102005e0f0001"),
                    now + 300,
                    now + 600,
                    now,
                    now,
                    0);
            peer.send(FailoverMessages.bindingUpdate(now, binding).withXid(7));

            java.util.concurrent.atomic.AtomicLong xid = new java.util.concurrent.atomic.AtomicLong(100);
            List<ConsumerRecord<String, String>> forAddress = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(
                            () -> {
                                // keeps the connection alive meanwhile (the coordinator's receive timer)
                                peer.send(FailoverMessages.empty(
                                                MessageType.CONTACT, System.currentTimeMillis() / 1000, 0)
                                        .withXid(xid.incrementAndGet()));
                                return requests.getRecords().stream()
                                        .filter(r -> address.equals(r.key()))
                                        .toList();
                            },
                            list -> list.size() >= 4);
            ConsumerRecord<String, String> fourth = forAddress.get(3);
            Headers headers = fourth.headers();
            Header partition = headers.lastHeader(KafkaRequestReply.DEFAULT_REPLY_PARTITION_HEADER);
            ProducerRecord<String, String> reply = new ProducerRecord<>(
                    new String(
                            headers.lastHeader(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER)
                                    .value(),
                            StandardCharsets.UTF_8),
                    partition == null ? null : KafkaRequestReply.replyPartitionFromBytes(partition.value()),
                    address,
                    new ObjectMapper()
                            .writeValueAsString(
                                    new BindingAck(BindingAck.VERSION, "fo", address, 7, now + 600, null, null, 0)),
                    new RecordHeaders().add(headers.lastHeader(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER)));
            kafka.produceStrings().fromRecords(reply).awaitCompletion(Duration.ofSeconds(20));

            FailoverMessage ack = await().atMost(Duration.ofSeconds(30)).until(peer::read, m -> m.messageType()
                    .filter(MessageType.BNDACK::equals)
                    .isPresent());
            assertThat(ack.xid()).isEqualTo(7);
            assertThat(FailoverMessages.rejectReason(ack)).isEmpty();
            assertThat(ack.address(FailoverOption.ASSIGNED_IP_ADDRESS)).contains(Ipv4.parse(address));
            requests.close();
        }
    }

    /**
     * The coordinator's commands need the command credential: a partner-down or a maintenance without it, or with a
     * wrong one, is refused before it reaches the relationship (401, not the handler's answer), counted by reason;
     * state reads stay open; with the credential a command reaches the handler (a made-up relationship: 404).
     */
    @Test
    void aCommandWithoutTheCommandCredentialIsRefusedAndCounted() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> RestAssured.get("/api/v1/relationships/fo").statusCode() == 200);
        double missing = commandsRefused("missing-credential");
        double wrong = commandsRefused("wrong-credential");
        RestAssured.post("/api/v1/relationships/fo/partner-down")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .contentType("application/problem+json");
        RestAssured.post("/api/v1/relationships/none/partner-down").then().statusCode(401);
        RestAssured.given()
                .header("Authorization", "Bearer not-the-token")
                .post("/api/v1/relationships/fo/maintenance")
                .then()
                .statusCode(401);
        assertThat(commandsRefused("missing-credential")).isEqualTo(missing + 2);
        assertThat(commandsRefused("wrong-credential")).isEqualTo(wrong + 1);
        assertThat(RestAssured.get("/api/v1/relationships/fo").<String>path("state"))
                .isNotIn("PARTNER-DOWN", "SHUTDOWN");
        RestAssured.given()
                .header("Authorization", "Bearer test-command-token")
                .post("/api/v1/relationships/none/partner-down")
                .then()
                .statusCode(404);
    }

    /**
     * The lease commands are commands too: refused without the credential; with it, passed to the lease-service, and
     * here, where none runs, answered with a problem saying so once the wait is over (never a silent success).
     */
    @Test
    void aLeaseCommandNeedsTheCredentialAndSaysWhenNoLeaseServiceAnswers() {
        double missing = commandsRefused("missing-credential");
        RestAssured.post("/api/v1/leases/192.0.2.10/release").then().statusCode(401);
        RestAssured.post("/api/v1/leases/reclaim").then().statusCode(401);
        assertThat(commandsRefused("missing-credential")).isEqualTo(missing + 2);
        RestAssured.given()
                .header("Authorization", "Bearer test-command-token")
                .post("/api/v1/leases/192.0.2.10/release")
                .then()
                .statusCode(504)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("did not answer"));
    }

    /**
     * Connections to the failover port from an address that is not the partner's (127.0.0.2; the partner is
     * 127.0.0.1), each sending garbage: every one closed at once and counted; the relationship never hears of them.
     */
    @Test
    void connectionsFromAnAddressThatIsNotThePartnersAreClosedAndCounted() throws Exception {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> RestAssured.get("/api/v1/relationships/fo").statusCode() == 200);
        double before = connectionsRefused();
        double messagesBefore = messagesRefused();
        for (int i = 0; i < 5; i++) {
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress("127.0.0.2", 0));
                s.setSoTimeout(10_000);
                s.connect(new InetSocketAddress("127.0.0.1", PORT), 5000);
                try {
                    s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n garbage".getBytes(StandardCharsets.US_ASCII));
                } catch (java.net.SocketException closedAlready) {
                    // closed before the write: refused, as it should be
                }
                assertThat(s.getInputStream().read())
                        .as("closed without an answer")
                        .isEqualTo(-1);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> connectionsRefused() == before + 5);
        assertThat(messagesRefused())
                .as("nothing of theirs was read as a message")
                .isEqualTo(messagesBefore);
    }

    double messagesRefused() {
        return metrics.find("tandem_failover_messages_refused_total").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum();
    }
}

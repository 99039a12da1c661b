package dev.tandem.lease.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.lease.TestConfigs;
import dev.tandem.lease.service.ConfigHolder;
import dev.tandem.lease.service.RequestTriage;
import dev.tandem.protocol.bus.ClientKeys;
import dev.tandem.protocol.bus.Json;
import dev.tandem.protocol.bus.LeaseCommand;
import dev.tandem.protocol.bus.LeaseCommandResult;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.bus.ScopeStatistics;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.testsupport.Schemas;
import dev.tandem.testsupport.TandemTestResources;
import dev.tandem.testsupport.TestKafka;
import dev.tandem.testsupport.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lease-service over real Kafka and PostgreSQL: requests in, replies out, leases and events. */
@QuarkusTest
@QuarkusTestResource(
        value = TandemTestResources.class,
        initArgs = @ResourceArg(name = "database", value = "lease_flow"),
        restrictToAnnotatedClass = true)
class LeaseFlowTest {

    static final String REPLY_TOPIC = "test.lease-replies";
    static final ObjectMapper JSON = Json.mapper();

    @Inject
    ConfigHolder config;

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    @BeforeEach
    void configured() {
        if (config.current().isEmpty()) {
            TestConfigs.publish(TestConfigs.standard(1));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> config.current().isPresent());
    }

    static LeaseRequest request(String type, String mac, String ciaddr, String requested, String serverId) {
        byte[] hw = HexFormat.of().parseHex(mac);
        return new LeaseRequest(
                LeaseRequest.VERSION,
                TestConfigs.SERVER,
                "192.0.2.0/24",
                type,
                ClientKeys.of(null, 1, hw),
                1,
                mac,
                null,
                42,
                ciaddr,
                "192.0.2.1",
                requested,
                serverId,
                null,
                "host-" + mac.substring(8),
                null,
                List.of(1, 3, 6, 15, 51),
                ciaddr.equals("0.0.0.0"),
                Instant.now());
    }

    /** Sends as the gateway's Request-Reply emitter does and waits for the correlated reply. */
    static LeaseReply exchange(LeaseRequest request) throws Exception {
        return exchange(request, null);
    }

    /**
     * Sends {@code request}, and {@code before} first if given, and waits for the reply to {@code request}; a reply to
     * {@code before} fails the test (one client's messages stay in order, so it would have come first).
     */
    static LeaseReply exchange(LeaseRequest request, LeaseRequest before) throws Exception {
        String correlation = UUID.randomUUID().toString();
        String unanswered = UUID.randomUUID().toString();
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> replies = kafka.consumeStrings()
                    .withGroupId("test-" + UUID.randomUUID())
                    .withAutoCommit()
                    .fromTopics(REPLY_TOPIC);
            try {
                if (before != null) {
                    kafka.produceStrings()
                            .fromRecords(asRequest(before, unanswered))
                            .awaitCompletion(Duration.ofSeconds(20));
                }
                kafka.produceStrings()
                        .fromRecords(asRequest(request, correlation))
                        .awaitCompletion(Duration.ofSeconds(20));
                ConsumerRecord<String, String> reply = awaitReply(replies, correlation);
                assertThat(replies.getRecords()).noneMatch(r -> unanswered.equals(correlationOf(r)));
                assertThat(reply.headers().lastHeader(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER))
                        .as("a reply must not look like a request")
                        .isNull();
                assertThat(Schemas.problems("lease-reply.v1", reply.value())).isEmpty();
                return JSON.readValue(reply.value(), LeaseReply.class);
            } finally {
                replies.stop();
            }
        }
    }

    static ProducerRecord<String, String> asRequest(LeaseRequest request, String correlation) throws Exception {
        ProducerRecord<String, String> record = asRequest(
                Topics.leaseRequests(TestConfigs.SERVER),
                request.clientKey(),
                JSON.writeValueAsString(request),
                correlation,
                REPLY_TOPIC);
        assertThat(Schemas.problems("lease-request.v1", record.value())).isEmpty();
        return record;
    }

    /** A record as SmallRye Kafka Request-Reply sends it: with its correlation id and the topic to reply to. */
    static ProducerRecord<String, String> asRequest(
            String topic, String key, String json, String correlation, String replyTopic) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, json);
        record.headers()
                .add(
                        KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER,
                        correlation.getBytes(StandardCharsets.UTF_8));
        record.headers().add(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER, replyTopic.getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** The reply with this correlation id, once it has come (within 30 s). */
    static ConsumerRecord<String, String> awaitReply(ConsumerTask<String, String> replies, String correlation) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> replies.getRecords().stream().anyMatch(r -> correlation.equals(correlationOf(r))));
        return replies.getRecords().stream()
                .filter(r -> correlation.equals(correlationOf(r)))
                .findFirst()
                .orElseThrow();
    }

    static String correlationOf(ConsumerRecord<String, String> record) {
        return KafkaCompanion.getHeader(record.headers(), KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER);
    }

    static String leaseState(String address) throws SQLException {
        try (Connection c = TestPostgres.connect("lease_flow");
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT state || ' ' || coalesce(client_key, '-') FROM lease_view WHERE ip = '"
                                + address + "'")) {
            return rs.next() ? rs.getString(1) : "none";
        }
    }

    static List<ConsumerRecord<String, String>> eventsFor(String address, int atLeast) {
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> events = kafka.consumeStrings()
                    .withGroupId("test-" + UUID.randomUUID())
                    .withOffsetReset(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST)
                    .fromTopics(Topics.LEASE_EVENTS);
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> events.getRecords().stream()
                                        .filter(r -> address.equals(r.key()))
                                        .count()
                                >= atLeast);
                return events.getRecords().stream()
                        .filter(r -> address.equals(r.key()))
                        .toList();
            } finally {
                events.stop();
            }
        }
    }

    @Test
    void discoverRequestReleaseCommitsTheLeaseAndPublishesEvents() throws Exception {
        String mac = "02005e000101";
        LeaseReply offer = exchange(request("DISCOVER", mac, "0.0.0.0", null, null));
        assertThat(offer.action()).isEqualTo("OFFER");
        assertThat(offer.address()).startsWith("192.0.2.");
        assertThat(offer.leaseTime()).isEqualTo(3600);
        assertThat(offer.renewalTime()).isEqualTo(1800);
        assertThat(offer.rebindingTime()).isEqualTo(3150);
        assertThat(offer.options()).extracting(LeaseReply.OptionValue::code).containsExactly(1, 3, 6, 15);
        assertThat(leaseState(offer.address())).isEqualTo("OFFERED hw:1:" + mac);

        LeaseReply ack = exchange(request("REQUEST", mac, "0.0.0.0", offer.address(), "192.0.2.1"));
        assertThat(ack.action()).isEqualTo("ACK");
        assertThat(ack.address()).isEqualTo(offer.address());
        assertThat(leaseState(offer.address())).isEqualTo("ACTIVE hw:1:" + mac);

        LeaseReply renew = exchange(request("REQUEST", mac, offer.address(), null, null));
        assertThat(renew.action()).isEqualTo("ACK");

        LeaseReply release = exchange(request("RELEASE", mac, offer.address(), null, "192.0.2.1"));
        assertThat(release.action()).isEqualTo("NONE");
        assertThat(release.reason()).isEqualTo("released");
        assertThat(leaseState(offer.address())).isEqualTo("RELEASED hw:1:" + mac);

        List<ConsumerRecord<String, String>> events = eventsFor(offer.address(), 3);
        List<LeaseEvent> parsed = events.stream()
                .map(r -> {
                    assertThat(Schemas.problems("lease-event.v1", r.value())).isEmpty();
                    assertThat(KafkaCompanion.getHeader(r.headers(), "ce_specversion"))
                            .isEqualTo("1.0");
                    assertThat(KafkaCompanion.getHeader(r.headers(), "ce_source"))
                            .isEqualTo("/tandem/dhcp-a/lease-service");
                    try {
                        LeaseEvent e = JSON.readValue(r.value(), LeaseEvent.class);
                        assertThat(KafkaCompanion.getHeader(r.headers(), "ce_type"))
                                .isEqualTo("dev.tandem.lease." + e.type());
                        assertThat(KafkaCompanion.getHeader(r.headers(), "ce_id"))
                                .isEqualTo(e.id());
                        return e;
                    } catch (Exception ex) {
                        throw new AssertionError(ex);
                    }
                })
                .toList();
        assertThat(parsed).extracting(LeaseEvent::type).containsExactly("committed", "renewed", "released");
        assertThat(parsed).extracting(LeaseEvent::sequence).isSorted();
        assertThat(parsed.get(0).clientKey()).isEqualTo("hw:1:" + mac);
        assertThat(parsed.get(0).expiresAt()).isAfter(parsed.get(0).at());

        // The released address goes back to the same client (RFC 2131 §4.3.1).
        LeaseReply again = exchange(request("DISCOVER", mac, "0.0.0.0", null, null));
        assertThat(again.address()).isEqualTo(offer.address());
    }

    @Test
    void addressCountsOfEachScopeArePublishedForTheAdminApi() throws Exception {
        String mac = "02005e000171";
        LeaseReply offer = exchange(request("DISCOVER", mac, "0.0.0.0", null, null));
        assertThat(exchange(request("REQUEST", mac, "0.0.0.0", offer.address(), "192.0.2.1"))
                        .action())
                .isEqualTo("ACK");
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> stats = kafka.consumeStrings()
                    .withGroupId("test-" + UUID.randomUUID())
                    .withOffsetReset(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST)
                    .fromTopics(Topics.SCOPE_STATISTICS);
            try {
                // published every 10 s when the counts changed: wait for one that includes this lease
                await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
                    ConsumerRecord<String, String> last = stats.getRecords().stream()
                            .filter(r -> "dhcp-a/192.0.2.0/24".equals(r.key()))
                            .reduce((a, b) -> b)
                            .orElseThrow(() -> new AssertionError("no statistics for the scope yet"));
                    assertThat(Schemas.problems("scope-statistics.v1", last.value()))
                            .isEmpty();
                    ScopeStatistics s = JSON.readValue(last.value(), ScopeStatistics.class);
                    assertThat(s.assigned()).isPositive();
                    assertThat(s.total()).isGreaterThanOrEqualTo(s.assigned() + s.offered() + s.free() + s.declined());
                    assertThat(s.backup())
                            .as("no failover relationship: no BACKUP pool")
                            .isZero();
                    assertThat(leaseState(offer.address())).isEqualTo("ACTIVE hw:1:" + mac);
                });
            } finally {
                stats.stop();
            }
        }
    }

    @Test
    void reservedClientGetsItsAddressAndOthersNeverDo() throws Exception {
        LeaseReply reserved = exchange(request("DISCOVER", "02005e0000ff", "0.0.0.0", null, null));
        assertThat(reserved.address()).isEqualTo("192.0.2.5");

        LeaseReply other = exchange(request("DISCOVER", "02005e000102", "0.0.0.0", "192.0.2.5", null));
        assertThat(other.action()).isEqualTo("OFFER");
        assertThat(other.address()).isNotEqualTo("192.0.2.5");
        assertThat(other.address()).isNotIn("192.0.2.20", "192.0.2.21"); // excluded
    }

    @Test
    void wrongServerIdentifierIsIgnoredAndOurOfferWithdrawn() throws Exception {
        String mac = "02005e000103";
        LeaseReply offer = exchange(request("DISCOVER", mac, "0.0.0.0", null, null));
        LeaseReply other = exchange(request("REQUEST", mac, "0.0.0.0", "192.0.2.99", "192.0.2.2"));
        assertThat(other.action()).isEqualTo("NONE");
        assertThat(other.reason()).isEqualTo("selected-other-server");
        assertThat(leaseState(offer.address())).startsWith("FREE");
    }

    @Test
    void initRebootOnTheWrongNetworkIsNakked() throws Exception {
        LeaseReply nak = exchange(request("REQUEST", "02005e000104", "0.0.0.0", "10.9.9.9", null));
        assertThat(nak.action()).isEqualTo("NAK");
        assertThat(nak.options()).extracting(LeaseReply.OptionValue::code).containsExactly(56);
    }

    @Test
    void declinedAddressIsQuarantined() throws Exception {
        String mac = "02005e000105";
        LeaseReply offer = exchange(request("DISCOVER", mac, "0.0.0.0", null, null));
        exchange(request("REQUEST", mac, "0.0.0.0", offer.address(), "192.0.2.1"));
        LeaseReply decline = exchange(request("DECLINE", mac, "0.0.0.0", offer.address(), "192.0.2.1"));
        assertThat(decline.reason()).isEqualTo("declined");
        assertThat(leaseState(offer.address())).startsWith("DECLINED");

        LeaseReply next = exchange(request("DISCOVER", mac, "0.0.0.0", offer.address(), null));
        assertThat(next.address()).isNotEqualTo(offer.address());
        assertThat(eventsFor(offer.address(), 2))
                .extracting(r -> KafkaCompanion.getHeader(r.headers(), "ce_type"))
                .contains("dev.tandem.lease.declined");
    }

    @Test
    void aDeclinedReservationIsNotOfferedAgainDuringProbation() throws Exception {
        String mac = "02005e0000ff";
        LeaseReply offer = exchange(request("DISCOVER", mac, "0.0.0.0", null, null));
        assertThat(offer.address()).isEqualTo("192.0.2.5");
        exchange(request("REQUEST", mac, "0.0.0.0", "192.0.2.5", "192.0.2.1"));
        exchange(request("DECLINE", mac, "0.0.0.0", "192.0.2.5", "192.0.2.1"));
        LeaseReply next = exchange(request("DISCOVER", mac, "0.0.0.0", null, null));
        assertThat(next.action()).isEqualTo("OFFER");
        assertThat(next.address()).isNotEqualTo("192.0.2.5");
    }

    @Test
    void leasesThatRunOutAreReclaimedAndTheirExpiryPublished() throws Exception {
        String mac = "02005e000106";
        LeaseReply offer = exchange(request("DISCOVER", mac, "0.0.0.0", null, null));
        exchange(request("REQUEST", mac, "0.0.0.0", offer.address(), "192.0.2.1"));
        assertThat(leaseState(offer.address())).isEqualTo("ACTIVE hw:1:" + mac);
        // Let the lease run out without waiting its hour: move its end into the past.
        try (Connection c = TestPostgres.connect("lease_flow");
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE lease SET expires_at = now() - interval '1 second' WHERE address = '"
                    + offer.address() + "'::inet - '0.0.0.0'::inet");
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> leaseState(offer.address()).startsWith("EXPIRED"));
        assertThat(eventsFor(offer.address(), 2))
                .extracting(r -> KafkaCompanion.getHeader(r.headers(), "ce_type"))
                .containsSubsequence("dev.tandem.lease.committed", "dev.tandem.lease.expired");
        // The expired address stays associated with its client (RFC 2131 §4.3.1).
        assertThat(exchange(request("DISCOVER", mac, "0.0.0.0", null, null)).address())
                .isEqualTo(offer.address());
    }

    /** Sends a lease command as the coordinator's Request-Reply emitter does and waits for its result. */
    static LeaseCommandResult command(LeaseCommand command) throws Exception {
        String correlation = UUID.randomUUID().toString();
        String replyTopic = "test.lease-command-replies";
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> replies = kafka.consumeStrings()
                    .withGroupId("test-" + UUID.randomUUID())
                    .withAutoCommit()
                    .fromTopics(replyTopic);
            try {
                String json = JSON.writeValueAsString(command);
                assertThat(Schemas.problems("lease-command.v1", json)).isEmpty();
                kafka.produceStrings()
                        .fromRecords(asRequest(
                                Topics.leaseCommands(TestConfigs.SERVER),
                                command.command(),
                                json,
                                correlation,
                                replyTopic))
                        .awaitCompletion(Duration.ofSeconds(20));
                String reply = awaitReply(replies, correlation).value();
                assertThat(Schemas.problems("lease-command-result.v1", reply)).isEmpty();
                return JSON.readValue(reply, LeaseCommandResult.class);
            } finally {
                replies.stop();
            }
        }
    }

    /**
     * An operator ends a lease (as its client's release would: RELEASED, event "released"), is told when an address
     * holds no active lease (a declined one waits for its probation) or is no address, and reclaims what ran out: each
     * answered only once committed.
     */
    @Test
    void anOperatorEndsAnActiveLeaseOnlyAndReclaimsNow() throws Exception {
        String mac = "02005e000131";
        LeaseReply offer = exchange(request("DISCOVER", mac, "0.0.0.0", null, null));
        exchange(request("REQUEST", mac, "0.0.0.0", offer.address(), "192.0.2.1"));
        assertThat(leaseState(offer.address())).isEqualTo("ACTIVE hw:1:" + mac);
        LeaseCommandResult released = command(
                new LeaseCommand(LeaseCommand.VERSION, LeaseCommand.RELEASE, offer.address(), "admin", Instant.now()));
        assertThat(released.outcome()).isEqualTo(LeaseCommandResult.RELEASED);
        assertThat(released.count()).isEqualTo(1);
        assertThat(leaseState(offer.address())).isEqualTo("RELEASED hw:1:" + mac);
        assertThat(eventsFor(offer.address(), 2))
                .extracting(r -> KafkaCompanion.getHeader(r.headers(), "ce_type"))
                .containsSubsequence("dev.tandem.lease.committed", "dev.tandem.lease.released");
        assertThat(command(new LeaseCommand(
                                LeaseCommand.VERSION, LeaseCommand.RELEASE, offer.address(), "admin", Instant.now()))
                        .outcome())
                .as("nothing left to end")
                .isEqualTo(LeaseCommandResult.NOT_HELD);
        assertThat(command(new LeaseCommand(
                                LeaseCommand.VERSION, LeaseCommand.RELEASE, "192.0.2.999", "admin", Instant.now()))
                        .outcome())
                .isEqualTo(LeaseCommandResult.REFUSED);

        // a command read late (asked before its requester gave up) is never carried out
        String late = "02005e000134";
        LeaseReply fourth = exchange(request("DISCOVER", late, "0.0.0.0", null, null));
        exchange(request("REQUEST", late, "0.0.0.0", fourth.address(), "192.0.2.1"));
        assertThat(command(new LeaseCommand(
                                LeaseCommand.VERSION,
                                LeaseCommand.RELEASE,
                                fourth.address(),
                                "admin",
                                Instant.now().minusSeconds(11)))
                        .outcome())
                .isEqualTo(LeaseCommandResult.REFUSED);
        assertThat(leaseState(fourth.address())).isEqualTo("ACTIVE hw:1:" + late);

        String declining = "02005e000132";
        LeaseReply second = exchange(request("DISCOVER", declining, "0.0.0.0", null, null));
        exchange(request("REQUEST", declining, "0.0.0.0", second.address(), "192.0.2.1"));
        exchange(request("DECLINE", declining, "0.0.0.0", second.address(), "192.0.2.1"));
        assertThat(leaseState(second.address())).startsWith("DECLINED");
        assertThat(command(new LeaseCommand(
                                LeaseCommand.VERSION, LeaseCommand.RELEASE, second.address(), "admin", Instant.now()))
                        .outcome())
                .as("a declined address waits for its probation")
                .isEqualTo(LeaseCommandResult.NOT_HELD);
        assertThat(leaseState(second.address())).startsWith("DECLINED");

        String expiring = "02005e000133";
        LeaseReply third = exchange(request("DISCOVER", expiring, "0.0.0.0", null, null));
        exchange(request("REQUEST", expiring, "0.0.0.0", third.address(), "192.0.2.1"));
        try (Connection c = TestPostgres.connect("lease_flow");
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE lease SET expires_at = now() - interval '1 second' WHERE address = '"
                    + third.address() + "'::inet - '0.0.0.0'::inet");
        }
        LeaseCommandResult reclaimed =
                command(new LeaseCommand(LeaseCommand.VERSION, LeaseCommand.RECLAIM, null, "admin", Instant.now()));
        assertThat(reclaimed.outcome()).isEqualTo(LeaseCommandResult.DONE);
        assertThat(leaseState(third.address()))
                .as("answered after the commit: what ran out is ended by then")
                .startsWith("EXPIRED");
    }

    @Test
    void informGetsOptionsWithoutALease() throws Exception {
        LeaseReply ack = exchange(request("INFORM", "02005e000107", "192.0.2.200", null, null));
        assertThat(ack.action()).isEqualTo("ACK");
        assertThat(ack.address()).isNull();
        assertThat(ack.leaseTime()).isNull();
        assertThat(ack.options()).extracting(LeaseReply.OptionValue::code).contains(3, 6);
        assertThat(leaseState("192.0.2.200")).isEqualTo("none");
    }

    @Test
    void exhaustedPoolOffersNothing() throws Exception {
        for (String mac : List.of("02005e000201", "02005e000202")) {
            LeaseRequest discover = withScope(request("DISCOVER", mac, "0.0.0.0", null, null), "198.51.100.0/29");
            LeaseReply offer = exchange(discover);
            assertThat(offer.action()).isEqualTo("OFFER");
        }
        LeaseReply none =
                exchange(withScope(request("DISCOVER", "02005e000203", "0.0.0.0", null, null), "198.51.100.0/29"));
        assertThat(none.action()).isEqualTo("NONE");
        assertThat(none.reason()).isEqualTo("pool-exhausted");
    }

    @Test
    void aRequestOlderThanTheGatewayWaitsIsNeitherDecidedNorAnswered() throws Exception {
        String mac = "02005e000301";
        LeaseRequest discover = request("DISCOVER", mac, "0.0.0.0", null, null);
        // The gateway stopped waiting after its request timeout (3 s, like max-request-age): this one is too old.
        LeaseRequest stale = copy(discover, discover.scope(), Instant.now().minusSeconds(10));
        double before = staleCount();
        LeaseReply offer = exchange(discover, stale);
        assertThat(offer.action()).isEqualTo("OFFER");
        assertThat(staleCount()).isEqualTo(before + 1);
    }

    /**
     * The database lost in the middle of a batch: the commit of the transaction that makes the client's lease ACTIVE
     * is held (a deferred trigger sleeps in it, after every statement has run) and its connection cut, and so is the
     * retry one by one if it gets that far. The client gets no ACK, the address stays OFFERED, and its retransmission
     * gets an ACK of a lease that was committed.
     */
    @Test
    void aRequestWhoseCommitIsLostGetsNoAckAndItsRetransmissionDoes() throws Exception {
        String mac = "02005e000401";
        LeaseReply offer = exchange(request("DISCOVER", mac, "0.0.0.0", null, null));
        try (Connection c = TestPostgres.connect("lease_flow");
                Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION test_hold() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " PERFORM pg_sleep(60); RETURN NEW; END $$");
            s.execute("CREATE CONSTRAINT TRIGGER test_hold AFTER INSERT OR UPDATE ON lease"
                    + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                    + " WHEN (NEW.state = 'ACTIVE' AND NEW.client_key = 'hw:1:" + mac
                    + "') EXECUTE FUNCTION test_hold()");
            try {
                LeaseRequest req = request("REQUEST", mac, "0.0.0.0", offer.address(), "192.0.2.1");
                var reply = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return exchange(req);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // every attempt that reaches its commit holds there: its connection is cut
                java.util.Set<Integer> cut = new java.util.HashSet<>();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    cut.addAll(terminateHeld(s));
                    return reply.isDone();
                });
                assertThat(cut).as("a commit was held and cut").isNotEmpty();
                LeaseReply lost = reply.get();
                assertThat(lost.action()).as("no lease that was not committed").isEqualTo("NONE");
                assertThat(lost.reason()).isEqualTo("error");
                assertThat(leaseState(offer.address())).isEqualTo("OFFERED hw:1:" + mac);
            } finally {
                s.execute("DROP TRIGGER test_hold ON lease");
                s.execute("DROP FUNCTION test_hold()");
            }
        }
        // the client's retransmission (a new request: the gateway stopped waiting for the first long ago)
        LeaseReply ack = exchange(request("REQUEST", mac, "0.0.0.0", offer.address(), "192.0.2.1"));
        assertThat(ack.action()).isEqualTo("ACK");
        assertThat(ack.address()).isEqualTo(offer.address());
        assertThat(leaseState(offer.address())).isEqualTo("ACTIVE hw:1:" + mac);
    }

    /** Cuts the connections that sleep in the test trigger; their process ids. */
    static java.util.Set<Integer> terminateHeld(Statement s) throws SQLException {
        java.util.Set<Integer> cut = new java.util.HashSet<>();
        // the held connections first (materialized), so that nothing else is ever terminated
        try (ResultSet rs = s.executeQuery("WITH held AS MATERIALIZED (SELECT pid FROM pg_stat_activity"
                + " WHERE datname = 'lease_flow' AND wait_event = 'PgSleep' AND pid <> pg_backend_pid())"
                + " SELECT pid FROM held WHERE pg_terminate_backend(pid)")) {
            while (rs.next()) {
                cut.add(rs.getInt(1));
            }
        }
        return cut;
    }

    double staleCount() {
        io.micrometer.core.instrument.Counter c = metrics.find("tandem_lease_requests_total")
                .tags("type", "DISCOVER", "outcome", RequestTriage.STALE)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void invalidConfigurationIsRefusedWholeAndTheOldOneStays() throws Exception {
        long before = config.current().map(ServerSettings::revision).orElseThrow();
        var bad = TestConfigs.standard(before + 10);
        var scopes = new java.util.ArrayList<>(bad.scopes());
        scopes.add(new dev.tandem.protocol.bus.ServerConfig.Scope(
                "192.0.2.128/25",
                List.of(new dev.tandem.protocol.bus.ServerConfig.Range("192.0.2.130", "192.0.2.140")),
                List.of(),
                3600,
                null,
                null,
                java.util.Map.of(),
                List.of()));
        TestConfigs.publish(new dev.tandem.protocol.bus.ServerConfig(
                bad.version(),
                bad.server(),
                bad.revision(),
                bad.serverIdentifier(),
                bad.offerTimeout(),
                bad.declineProbation(),
                scopes));
        TestConfigs.publish(TestConfigs.SERVER, "{not json");
        // A later valid revision is applied, which proves the bad ones were read and passed over.
        TestConfigs.publish(TestConfigs.standard(before + 20));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> config.current().orElseThrow().revision() == before + 20);
        assertThat(config.current().orElseThrow().scopes()).hasSize(2);
    }

    static LeaseRequest withScope(LeaseRequest r, String scope) {
        return copy(r, scope, r.receivedAt());
    }

    static LeaseRequest copy(LeaseRequest r, String scope, Instant receivedAt) {
        return new LeaseRequest(
                r.version(),
                r.server(),
                scope,
                r.messageType(),
                r.clientKey(),
                r.htype(),
                r.hardwareAddress(),
                r.clientId(),
                r.xid(),
                r.ciaddr(),
                r.giaddr(),
                r.requestedAddress(),
                r.serverId(),
                r.requestedLeaseTime(),
                r.hostname(),
                r.vendorClass(),
                r.parameterRequestList(),
                r.broadcast(),
                receivedAt);
    }
}

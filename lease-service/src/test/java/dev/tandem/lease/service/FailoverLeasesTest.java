package dev.tandem.lease.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.ClientKeys;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.bus.LeaseCommand;
import dev.tandem.protocol.bus.LeaseCommandResult;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Range;
import dev.tandem.protocol.bus.ServerConfig.Scope;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.testsupport.FailoverFixtures;
import dev.tandem.testsupport.ServerConfigs;
import dev.tandem.testsupport.TandemTestResources;
import dev.tandem.testsupport.TestKafka;
import dev.tandem.testsupport.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lease-service as the secondary of a relationship, on real Kafka and PostgreSQL: which pool it allocates from
 * in each state the coordinator publishes, the MCLT cap, PARTNER-DOWN takeover after MCLT, and the partner's binding
 * updates applied through the acceptance matrix.
 */
@QuarkusTest
@TestProfile(FailoverLeasesTest.Profile.class)
@QuarkusTestResource(
        value = TandemTestResources.class,
        initArgs = {
            @ResourceArg(name = "database", value = "lease_failover"),
            @ResourceArg(name = "server", value = FailoverLeasesTest.SERVER)
        },
        restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverLeasesTest {

    /** tandem.lease.partner-down-guard, seconds. */
    static final long GUARD = 10;

    static final String SERVER = "dhcp-f";
    static final String SCOPE = "203.0.113.0/29";

    /** Its own server name, so that its configuration and state topics are its own. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tandem.server", SERVER);
        }
    }

    @Inject
    LeaseService leases;

    @Inject
    FailoverView view;

    @Inject
    FailoverBindings bindings;

    @Inject
    ConfigHolder config;

    @Inject
    LeaseCommands commands;

    @Inject
    PoolBalancer balancer;

    @Inject
    LeaseStore store;

    static void publish(String topic, String key, Object value) {
        ServerConfigs.publish(topic, key, value);
    }

    void state(FailoverState state, Instant since) throws Exception {
        state(state, since, null);
    }

    void state(FailoverState state, Instant since, String leaseStore) throws Exception {
        FailoverStatus status = FailoverFixtures.status(
                SERVER,
                "secondary",
                "load-balance",
                state,
                since,
                FailoverState.UNKNOWN,
                128,
                List.of(SCOPE),
                leaseStore,
                0);
        publish(Topics.failoverState(SERVER), "fo", status);
        await().atMost(Duration.ofSeconds(30)).until(() -> view.status("fo")
                .map(s -> s.state().equals(state.label()) && s.since().equals(since))
                .orElse(false));
    }

    void configured() throws Exception {
        if (config.current().isPresent()) {
            return;
        }
        apply(configuration(1, true, true));
    }

    /** This server's configuration: the scope or none, in the relationship "fo" or standalone. */
    static ServerConfig configuration(long revision, boolean scope, boolean inRelationship) {
        return new ServerConfig(
                1,
                SERVER,
                revision,
                "203.0.113.1",
                30,
                600,
                scope
                        ? List.of(new Scope(
                                SCOPE,
                                List.of(new Range("203.0.113.2", "203.0.113.5")),
                                List.of(),
                                600,
                                null,
                                null,
                                Map.of(),
                                List.of()))
                        : List.of(),
                scope && inRelationship
                        ? List.of(FailoverFixtures.relationship(
                                "fo", "secondary", "127.0.0.1", 16480, "127.0.0.2", 16480, 60L, List.of(SCOPE)))
                        : List.of());
    }

    /** Publishes a configuration and waits until it is in force (its pools synchronised). */
    void apply(ServerConfig c) {
        publish(Topics.CONFIG, SERVER, c);
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        config.current().map(x -> x.revision() == c.revision()).orElse(false));
    }

    static LeaseRequest discover(String mac) {
        byte[] hw = HexFormat.of().parseHex(mac);
        return new LeaseRequest(
                LeaseRequest.VERSION,
                SERVER,
                SCOPE,
                "DISCOVER",
                ClientKeys.of(null, 1, hw),
                1,
                mac,
                null,
                7,
                "0.0.0.0",
                "203.0.113.1",
                null,
                null,
                null,
                null,
                null,
                List.of(1, 3),
                true,
                Instant.now());
    }

    LeaseReply ask(String mac) {
        return leases.handle(List.of(discover(mac)))
                .await()
                .atMost(Duration.ofSeconds(20))
                .get(0);
    }

    static boolean backup(String address) throws Exception {
        return Boolean.parseBoolean(column("backup", address));
    }

    /** One column of an address's row, as text. */
    static String column(String column, String address) throws Exception {
        try (Connection c = TestPostgres.connect("lease_failover");
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT " + column + "::text FROM lease_view WHERE ip = '" + address + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    @Order(1)
    void beforeTheCoordinatorSpeaksNothingIsAllocated() throws Exception {
        configured();
        assertThat(ask("02005e0f0001").reason()).isEqualTo("failover-not-serving");
        state(FailoverState.RECOVER, Instant.now());
        assertThat(ask("02005e0f0001").reason()).isEqualTo("failover-not-serving");
    }

    @Test
    @Order(2)
    void communicationsInterruptedAllocatesOnlyFromItsOwnPoolWithMcltLeases() throws Exception {
        configured();
        state(FailoverState.COMMUNICATIONS_INTERRUPTED, Instant.now());
        LeaseReply first = ask("02005e0f0001");
        LeaseReply second = ask("02005e0f0002");
        assertThat(first.action()).isEqualTo("OFFER");
        assertThat(second.action()).isEqualTo("OFFER");
        assertThat(backup(first.address())).isTrue();
        assertThat(backup(second.address())).isTrue();
        assertThat(first.leaseTime()).as("MCLT caps a new lease").isEqualTo(60);
        assertThat(ask("02005e0f0003").reason())
                .as("the primary's FREE addresses stay untouched")
                .isEqualTo("pool-exhausted");
    }

    @Test
    @Order(3)
    void partnerDownTakesThePartnersAddressesOnlyMcltAfterEnteringIt() throws Exception {
        configured();
        state(FailoverState.PARTNER_DOWN, Instant.now());
        assertThat(ask("02005e0f0003").reason()).isEqualTo("pool-exhausted");
        // MCLT has passed, the guard for a partner whose lease-services outlived its coordinator has not
        state(FailoverState.PARTNER_DOWN, Instant.now().minusSeconds(61));
        assertThat(ask("02005e0f0003").reason()).isEqualTo("pool-exhausted");
        state(FailoverState.PARTNER_DOWN, Instant.now().minusSeconds(61 + GUARD));
        LeaseReply third = ask("02005e0f0003");
        assertThat(third.action()).isEqualTo("OFFER");
        assertThat(backup(third.address())).as("a FREE address of the primary").isFalse();
    }

    @Test
    @Order(4)
    void partnerUpdatesAreAppliedThroughTheAcceptanceMatrix() throws Exception {
        configured();
        long now = Instant.now().getEpochSecond();
        byte[] hw = HexFormat.of().parseHex("0102005e0f0009");
        Binding active = new Binding(
                Ipv4.parse("203.0.113.5"), BindingStatus.ACTIVE, null, hw, now + 300, now + 600, now, now, 0);
        Binding outside = new Binding(
                Ipv4.parse("198.51.100.77"), BindingStatus.ACTIVE, null, hw, now + 300, now + 600, now, now, 0);
        Binding noClient =
                new Binding(Ipv4.parse("203.0.113.4"), BindingStatus.ACTIVE, null, null, now + 300, 0, now, now, 0);
        List<BindingAck> acks = bindings.apply(List.of(
                        BindingUpdate.of("fo", active, 1),
                        BindingUpdate.of("not-yet-here", active, 4),
                        BindingUpdate.of("fo", outside, 2),
                        BindingUpdate.of("fo", noClient, 3),
                        BindingUpdate.of("fo", outside, 5).withRevision(99),
                        BindingUpdate.of("fo", noClient, 6).withRevision(99)))
                .await()
                .atMost(Duration.ofSeconds(20));
        assertThat(acks).hasSize(6);
        // a relationship this service's configuration does not have yet, or an address outside it in a revision of the
        // coordinator not applied here yet (it may bring a scope that joins): no answer (a refusal would be final for
        // the partner); the
        // coordinator asks again
        assertThat(acks.get(1)).isNull();
        assertThat(acks.get(4)).isNull();
        // an address of the relationship here does not wait for the revision: a revision this service cannot apply
        // stalls nothing else
        assertThat(acks.get(5).rejectReason()).isEqualTo("MISSING_BINDING_INFORMATION");
        assertThat(List.of(acks.get(0), acks.get(2), acks.get(3)))
                .extracting(BindingAck::rejectReason)
                .containsExactly(null, "ILLEGAL_ADDRESS", "MISSING_BINDING_INFORMATION");
        try (Connection c = TestPostgres.connect("lease_failover");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT state, client_key, update_seq = acked_seq, update_seq FROM"
                        + " lease_view WHERE ip = '203.0.113.5'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ACTIVE");
            assertThat(rs.getString(2)).isEqualTo("hw:1:02005e0f0009");
            assertThat(rs.getBoolean(3))
                    .as("a partner's update is not sent back")
                    .isTrue();
            assertThat(acks.get(0).appliedSequence())
                    .as("the reply names the number the row took: our updates numbered below it are stale")
                    .isEqualTo(rs.getLong(4));
        }
        // The same client's binding with an earlier end (the partner's crossing update of a lease both servers
        // gave): accepted, but the later end stands, so that both tables end alike; a later end is taken.
        assertApplied(
                new Binding(
                        Ipv4.parse("203.0.113.5"), BindingStatus.ACTIVE, null, hw, now + 100, now + 600, now, now, 0),
                5);
        assertThat(expiry("203.0.113.5")).isEqualTo(now + 300);
        assertApplied(
                new Binding(
                        Ipv4.parse("203.0.113.5"), BindingStatus.ACTIVE, null, hw, now + 900, now + 900, now, now, 0),
                6);
        assertThat(expiry("203.0.113.5")).isEqualTo(now + 900);
        // one to go back to the partner as ours (an ISC update that crossed ours, which ISC may have taken): applied,
        // and unacknowledged until the partner acknowledges it, so that a lost connection resends it
        BindingAck back = bindings.apply(List.of(BindingUpdate.of(
                                "fo",
                                new Binding(
                                        Ipv4.parse("203.0.113.5"),
                                        BindingStatus.ACTIVE,
                                        null,
                                        hw,
                                        now + 900,
                                        now + 900,
                                        now,
                                        now,
                                        0),
                                7)
                        .sentBack()))
                .await()
                .atMost(Duration.ofSeconds(20))
                .get(0);
        assertThat(back.rejectReason()).isNull();
        assertThat(Long.parseLong(column("update_seq", "203.0.113.5"))).isEqualTo(back.appliedSequence());
        assertThat(Long.parseLong(column("acked_seq", "203.0.113.5"))).isLessThan(back.appliedSequence());
        bindings.acknowledge(List.of(new BindingAck(
                        BindingAck.VERSION, "fo", "203.0.113.5", back.appliedSequence(), now + 900, null, null, 0)))
                .await()
                .atMost(Duration.ofSeconds(20));
        assertThat(Long.parseLong(column("acked_seq", "203.0.113.5"))).isEqualTo(back.appliedSequence());
    }

    static long expiry(String address) throws Exception {
        try (Connection c = TestPostgres.connect("lease_failover");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT extract(epoch FROM expires_at)::bigint FROM lease_view WHERE ip = '" + address + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * ISC quirk: an ISC dhcpd secondary starting from an empty lease file has no backup pool until the primary sends
     * the free addresses as BACKUP bindings, so update-request-all includes every free pool address, FREE or BACKUP
     * as this server owns it, and not only the bindings that ever changed.
     */
    @Test
    @Order(5)
    void updateRequestAllSendsTheFreePoolAddressesAsAnIscSecondaryNeeds() throws Exception {
        configured();
        List<String> free = new java.util.ArrayList<>();
        try (Connection c = TestPostgres.connect("lease_failover");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT host(ip) FROM lease_view WHERE scope = '" + SCOPE
                        + "' AND in_pool AND state IN ('FREE', 'RELEASED', 'EXPIRED')")) {
            while (rs.next()) {
                free.add(rs.getString(1));
            }
        }
        java.util.Map<String, String> latest = new java.util.TreeMap<>();
        answer(FailoverCommand.RESEND_ALL, "isc-all", null).stream()
                .filter(u -> !u.isEndOfResend())
                .forEach(u -> latest.put(u.address(), u.status()));
        // every free pool address is sent, FREE or BACKUP by its owner, though it never changed (offers wait until
        // they end: they are not bindings)
        assertThat(free).isNotEmpty();
        for (String address : free) {
            assertThat(latest).containsKey(address);
            assertThat(latest.get(address))
                    .as("%s is sent as its owner", address)
                    .isEqualTo(backup(address) ? "BACKUP" : "FREE");
        }
    }

    /**
     * Pool balancing: the secondary holding every free address gives back its surplus over its 50 % share, as FREE
     * binding updates, when the coordinator asks (entering NORMAL, its timer, the partner's POOLREQ).
     */
    @Test
    @Order(6)
    void aSecondaryWithTooManyFreeAddressesGivesTheSurplusBack() throws Exception {
        configured();
        allFreeAndBackup();
        long before = lastUpdate();
        List<BindingUpdate> updates = answer(FailoverCommand.BALANCE, "pool-1", 1L);
        assertThat(updates.get(updates.size() - 1).addressesMoved()).isEqualTo(2);
        // the two highest addresses went back to the primary as FREE binding updates, ahead of the marker
        assertThat(updates.stream().filter(u -> !u.isEndOfResend() && u.sequence() > before))
                .extracting(BindingUpdate::address, BindingUpdate::status)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("203.0.113.5", "FREE"),
                        org.assertj.core.groups.Tuple.tuple("203.0.113.4", "FREE"));
        assertThat(backupCount()).isEqualTo(2);
        // Passes at the same time (a POOLREQ, a new configuration, the timer; or another replica) give the surplus
        // once.
        allFreeAndBackup();
        List<Integer> moved = io.smallrye.mutiny.Uni.join()
                .all(
                        balancer.balance("fo", 1L, null, List.of(SCOPE)),
                        balancer.balance("fo", 1L, null, List.of(SCOPE)),
                        balancer.balance("fo", 1L, null, List.of(SCOPE)))
                .andFailFast()
                .await()
                .atMost(Duration.ofSeconds(20));
        assertThat(moved).containsExactlyInAnyOrder(2, 0, 0);
        assertThat(backupCount()).isEqualTo(2);
        assertThat(backup("203.0.113.2")).isTrue();
        assertThat(backup("203.0.113.5")).isFalse();
        // A pass for a configuration this service has not applied waits for it, then does nothing without it.
        allFreeAndBackup();
        assertThat(balancer.balance("fo", 99L, null, List.of(SCOPE)).await().atMost(Duration.ofSeconds(20)))
                .isZero();
        assertThat(backupCount()).isEqualTo(4);
        // A scope the coordinator leaves out (still joining: the partner may not have it yet) keeps its addresses.
        assertThat(balancer.balance("fo", 1L, null, List.of()).await().atMost(Duration.ofSeconds(20)))
                .isZero();
        assertThat(backupCount()).isEqualTo(4);
        // The coordinator may name the share to balance to (ISC dhcpd's half and half): 25 % of 4 is 1, so 3 go.
        assertThat(balancer.balance("fo", 1L, 25, List.of(SCOPE)).await().atMost(Duration.ofSeconds(20)))
                .isEqualTo(3);
        assertThat(backupCount()).isEqualTo(1);
    }

    /**
     * Lost stable storage (draft §9.3.2): a state the coordinator recorded with another lease database went with
     * bindings this one does not have, so nothing is allocated on it; the same state recorded with this database is
     * served. The lease-service names its database unasked once it has a configuration, and on an identify command,
     * with a binding update number no lower than any it published.
     */
    @Test
    @Order(7)
    void aStateRecordedWithAnotherLeaseDatabaseIsNotServed() throws Exception {
        configured();
        String own;
        long highest;
        try (Connection c = TestPostgres.connect("lease_failover");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT (SELECT id::text FROM lease_store)," + " (SELECT max(update_seq) FROM lease)")) {
            rs.next();
            own = rs.getString(1);
            highest = rs.getLong(2);
        }
        assertThat(store.id()).contains(own);
        assertThat(highest).as("earlier tests changed bindings").isPositive();

        Instant since = Instant.now();
        state(
                FailoverState.COMMUNICATIONS_INTERRUPTED,
                since,
                java.util.UUID.randomUUID().toString());
        assertThat(ask("02005e0f0011").reason()).isEqualTo("failover-not-serving");
        state(FailoverState.COMMUNICATIONS_INTERRUPTED, since.plusSeconds(1), own);
        assertThat(ask("02005e0f0011").action()).isEqualTo("OFFER");

        List<BindingUpdate> updates = answer(FailoverCommand.IDENTIFY, "who-1", null);
        BindingUpdate answer = updates.get(updates.size() - 1);
        assertThat(answer.isIdentity()).isTrue();
        assertThat(answer.leaseStore()).isEqualTo(own);
        assertThat(answer.storeSequence()).isGreaterThanOrEqualTo(highest);
        assertThat(updates)
                .as("announced unasked after start")
                .anyMatch(u -> BindingUpdate.STARTED.equals(u.resendDone())
                        && own.equals(u.leaseStore())
                        && "fo".equals(u.relationship()));
    }

    /**
     * Draft §5.11, as ISC dhcpd does it: an EXPIRED or RELEASED binding becomes FREE once acknowledged, and FREE is the
     * primary's. A released address of this secondary's pool (BACKUP) goes to the primary, whether the partner's update
     * says it was released or the partner acknowledges our release; pool balancing gives the secondary its share back.
     * Both servers then count it alike, an ISC partner included.
     */
    @Test
    @Order(8)
    void aReleasedOrExpiredAddressBecomesAFreeAddressOfThePrimary() throws Exception {
        configured();
        allFreeAndBackup();
        long now = Instant.now().getEpochSecond();
        byte[] hw = HexFormat.of().parseHex("0102005e0f0021");
        Binding released =
                new Binding(Ipv4.parse("203.0.113.2"), BindingStatus.RELEASED, null, hw, now, 0, now, now, 0);
        assertApplied(released, 1);
        assertThat(stateOf("203.0.113.2")).isEqualTo("FREE");
        assertThat(backup("203.0.113.2")).as("the partner's release").isFalse();

        long sequence;
        try (Connection c = TestPostgres.connect("lease_failover");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("UPDATE lease SET state = 'EXPIRED', client_key = 'hw:1:02005e0f0022',"
                        + " update_seq = nextval('binding_update_seq') WHERE address = ("
                        + dev.tandem.protocol.net.Ipv4.parse("203.0.113.3").unsigned() + ") RETURNING update_seq")) {
            rs.next();
            sequence = rs.getLong(1);
        }
        bindings.acknowledge(
                        List.of(new BindingAck(BindingAck.VERSION, "fo", "203.0.113.3", sequence, 0, null, null, 0)))
                .await()
                .atMost(Duration.ofSeconds(20));
        assertThat(stateOf("203.0.113.3")).isEqualTo("FREE");
        assertThat(backup("203.0.113.3")).as("our expiry, acknowledged").isFalse();
        assertThat(backup("203.0.113.4"))
                .as("an address nobody used stays the secondary's")
                .isTrue();
    }

    /**
     * Draft §5.2.1: the potential expiration the partner acknowledged belongs to the binding it was acknowledged for.
     * A client's long lease, acknowledged, then expired and freed: the next client of the address starts at MCLT, as a
     * first lease must (if this server died before the partner heard of it, the partner would wait only MCLT).
     */
    @Test
    @Order(9)
    void aReusedAddressGivesItsNextClientMcltNotThePreviousClientsAcknowledgedTime() throws Exception {
        configured();
        allFreeAndBackup();
        state(FailoverState.NORMAL, Instant.now());
        long day = Instant.now().plusSeconds(86_400).getEpochSecond();
        long bound = sql("UPDATE lease SET state = 'ACTIVE', client_key = 'hw:1:02005e0f0031',"
                + " expires_at = now() + interval '1 day', update_seq = nextval('binding_update_seq')"
                + " WHERE address = " + unsigned("203.0.113.2") + " RETURNING update_seq");
        ack("203.0.113.2", bound, day);
        assertThat(ask("02005e0f0031").leaseTime())
                .as("the client whose binding the partner acknowledged gets its whole lease")
                .isEqualTo(600);
        long expired = sql("UPDATE lease SET state = 'EXPIRED', update_seq = nextval('binding_update_seq')"
                + " WHERE address = " + unsigned("203.0.113.2") + " RETURNING update_seq");
        ack("203.0.113.2", expired, 0);
        assertThat(stateOf("203.0.113.2")).isEqualTo("FREE");
        sql("UPDATE lease SET backup = true WHERE address = " + unsigned("203.0.113.2") + " RETURNING update_seq");
        sql("UPDATE lease SET state = 'ACTIVE', client_key = 'hw:1:02005e0f00' || to_hex(address % 256),"
                + " expires_at = now() + interval '1 hour' WHERE scope = '" + SCOPE + "' AND address <> "
                + unsigned("203.0.113.2") + " RETURNING update_seq");
        awaitAllPublished();
        LeaseReply next = ask("02005e0f0032");
        assertThat(next.address()).isEqualTo("203.0.113.2");
        assertThat(next.leaseTime()).as("a new client of a reused address").isEqualTo(60);
        assertThat(column("tsfp", "203.0.113.2")).isNull();

        // A late acknowledgement of an earlier update does not lift the new client's cap either.
        long earlier = sql("SELECT nextval('binding_update_seq')");
        long offered = sql("UPDATE lease SET state = 'ACTIVE', client_key = 'hw:1:02005e0f0032',"
                + " expires_at = now() + interval '60 seconds', update_seq = nextval('binding_update_seq')"
                + " WHERE address = " + unsigned("203.0.113.2") + " RETURNING update_seq");
        assertThat(offered).isGreaterThan(earlier);
        ack("203.0.113.2", earlier, day);
        assertThat(column("tsfp", "203.0.113.2")).isNull();
    }

    /**
     * A client takes back its own released or expired address only once the partner acknowledged that update: until
     * then the partner (which frees the address on receiving it) may already have given it to another client.
     */
    @Test
    @Order(10)
    void aClientDoesNotRetakeItsAddressWhileTheReleaseIsUnacknowledged() throws Exception {
        configured();
        allFreeAndBackup();
        state(FailoverState.NORMAL, Instant.now());
        long released = sql("UPDATE lease SET state = 'RELEASED', client_key = 'hw:1:02005e0f0041',"
                + " expires_at = now(), update_seq = nextval('binding_update_seq')"
                + " WHERE address = " + unsigned("203.0.113.2") + " RETURNING update_seq");
        LeaseReply again = ask("02005e0f0041");
        assertThat(again.action()).isEqualTo("OFFER");
        assertThat(again.address()).isNotEqualTo("203.0.113.2");
        assertThat(stateOf("203.0.113.2")).isEqualTo("RELEASED");
        ack("203.0.113.2", released, 0);
        assertThat(stateOf("203.0.113.2"))
                .as("acknowledged: FREE on both servers, the primary's")
                .isEqualTo("FREE");
        assertThat(backup("203.0.113.2")).isFalse();
    }

    /**
     * Draft §5.2.2: in PARTNER-DOWN another client gets a released or expired address only once MCLT has passed since
     * its expiry and potential expirations and also since entering PARTNER-DOWN: until then the partner, which was
     * serving, may have given it away after this server last heard of it.
     */
    @Test
    @Order(11)
    void partnerDownReusesAReleasedAddressOnlyMcltAfterEnteringIt() throws Exception {
        configured();
        allFreeAndBackup();
        sql("UPDATE lease SET state = 'ACTIVE', client_key = 'hw:1:02005e0f00' || to_hex(address % 256),"
                + " expires_at = now() + interval '1 hour' WHERE scope = '" + SCOPE + "' RETURNING update_seq");
        sql("UPDATE lease SET state = 'RELEASED', client_key = 'hw:1:02005e0f0051',"
                + " expires_at = now() - interval '1 day', tstp = NULL, tsfp = NULL,"
                + " update_seq = nextval('binding_update_seq') WHERE address = " + unsigned("203.0.113.3")
                + " RETURNING update_seq");
        state(FailoverState.PARTNER_DOWN, Instant.now());
        assertThat(ask("02005e0f0052").reason()).isEqualTo("pool-exhausted");
        assertThat(stateOf("203.0.113.3")).isEqualTo("RELEASED");
        state(FailoverState.PARTNER_DOWN, Instant.now().minusSeconds(61 + GUARD));
        awaitAllPublished();
        LeaseReply taken = ask("02005e0f0052");
        assertThat(taken.action()).isEqualTo("OFFER");
        assertThat(taken.address()).isEqualTo("203.0.113.3");
    }

    /**
     * Update-request-all: every binding sent, the never-changed free addresses included, takes a new update number,
     * so the partner's acknowledgement of each is recorded and one lost or left unanswered goes again with the next
     * resend of what is unacknowledged. The periodic recheck resends only updates numbered up to its bound.
     */
    @Test
    @Order(12)
    void everyBindingOfAFullResendStaysUnacknowledgedUntilThePartnerAcknowledgesIt() throws Exception {
        configured();
        allFreeAndBackup();
        sql("UPDATE lease SET update_seq = 0, published_seq = 0, acked_seq = 0 WHERE address = "
                + unsigned("203.0.113.4") + " RETURNING update_seq");
        long before = lastUpdate();
        List<String> pool = List.of("203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5");
        answer(FailoverCommand.RESEND_ALL, "full-1", null);
        // every pool address goes with a new update number, the never-changed .4 too (the topic has several
        // partitions in tests: what was sent is counted, not its order)
        java.util.Map<String, Long> sent = new java.util.TreeMap<>();
        for (String address : pool) {
            sent.put(address, Long.parseLong(column("update_seq", address)));
            assertThat(sent.get(address)).as(address).isGreaterThan(before);
        }
        awaitSent(u -> pool.stream().allMatch(a -> times(u, a, sent.get(a)) == 1));
        // the partner acknowledges all but .4; .4 goes again with the next resend of the unacknowledged
        for (String address : pool) {
            if (!address.equals("203.0.113.4")) {
                ack(address, sent.get(address), 0);
            }
        }
        answer(FailoverCommand.RESEND_UNACKED, "unacked-1", null);
        awaitSent(u -> times(u, "203.0.113.4", sent.get("203.0.113.4")) == 2);
        // a recheck bounded below .4's number resends nothing; one that reaches it resends .4 alone
        answerUpTo("unacked-2", sent.get("203.0.113.4") - 1);
        answerUpTo("unacked-3", sent.get("203.0.113.4"));
        List<BindingUpdate> last = awaitSent(u -> times(u, "203.0.113.4", sent.get("203.0.113.4")) >= 3);
        assertThat(times(last, "203.0.113.4", sent.get("203.0.113.4"))).isEqualTo(3);
        for (String address : List.of("203.0.113.2", "203.0.113.3", "203.0.113.5")) {
            assertThat(times(last, address, sent.get(address)))
                    .as("%s, acknowledged, is not sent again", address)
                    .isEqualTo(1);
        }
    }

    static long times(List<BindingUpdate> updates, String address, long sequence) {
        return updates.stream()
                .filter(u -> !u.isEndOfResend() && address.equals(u.address()) && u.sequence() == sequence)
                .count();
    }

    /** The binding-updates topic from its start, once what it holds satisfies the condition (within 30 s). */
    static List<BindingUpdate> awaitSent(java.util.function.Predicate<List<BindingUpdate>> condition) throws Exception {
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> updates = bindingUpdates(kafka);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> condition.test(parsed(updates)));
                return parsed(updates);
            } finally {
                updates.stop();
            }
        }
    }

    /** Waits until the publisher has sent every changed row (it locks the rows it publishes while it does). */
    static void awaitAllPublished() {
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        sql("SELECT count(*) FROM lease WHERE update_seq > published_seq AND state <> 'OFFERED'") == 0);
    }

    /**
     * After a partition one client may be bound to an address by each server. The partner's update of its binding
     * broke "one binding per client" here and was never answered (the partner held it in its window for good,
     * POTENTIAL-CONFLICT never ended). Now both bindings stand (the whole-second times on the wire cannot tell which
     * one the client uses, and freeing that one would let another client have it) until the client's next exchange
     * ends the other; an offer here is dropped. Every such update is answered.
     */
    @Test
    @Order(13)
    void aClientBoundByEachServerKeepsBothBindingsUntilItsNextExchange() throws Exception {
        configured();
        allFreeAndBackup();
        state(FailoverState.NORMAL, Instant.now());
        long now = Instant.now().getEpochSecond();
        byte[] hw = HexFormat.of().parseHex("0102005e0f0061");
        sql("UPDATE lease SET state = 'ACTIVE', client_key = 'hw:1:02005e0f0061', expires_at = now() + interval"
                + " '1 hour', cltt = now() WHERE address = " + unsigned("203.0.113.2") + " RETURNING update_seq");
        Binding partners = new Binding(
                Ipv4.parse("203.0.113.3"), BindingStatus.ACTIVE, null, hw, now + 300, now + 600, now, now, 0);
        assertApplied(partners, 1);
        for (String address : List.of("203.0.113.2", "203.0.113.3")) {
            assertThat(stateOf(address)).as(address).isEqualTo("ACTIVE");
            assertThat(column("client_key", address)).as(address).isEqualTo("hw:1:02005e0f0061");
        }
        // the client renews the partner's address here: its other binding ends, and the partner hears of it
        long before = lastUpdate();
        LeaseReply renewed = leases.handle(List.of(renewing("02005e0f0061", "203.0.113.3")))
                .await()
                .atMost(Duration.ofSeconds(20))
                .get(0);
        assertThat(renewed.action()).isEqualTo("ACK");
        assertThat(renewed.address()).isEqualTo("203.0.113.3");
        assertThat(stateOf("203.0.113.2"))
                .as("released: the partner takes it as the client's later transaction, so both tables agree")
                .isEqualTo("RELEASED");
        assertThat(Long.parseLong(column("update_seq", "203.0.113.2"))).isGreaterThan(before);

        // an offer to the client here is dropped when the partner's binding of another address arrives
        sql("UPDATE lease SET state = 'OFFERED', client_key = 'hw:1:02005e0f0062', expires_at = now() + interval"
                + " '30 seconds' WHERE address = " + unsigned("203.0.113.4") + " RETURNING update_seq");
        Binding other = new Binding(
                Ipv4.parse("203.0.113.5"),
                BindingStatus.ACTIVE,
                null,
                HexFormat.of().parseHex("0102005e0f0062"),
                now + 300,
                now + 600,
                now,
                now,
                0);
        assertApplied(other, 2);
        assertThat(stateOf("203.0.113.4")).isEqualTo("FREE");
        assertThat(stateOf("203.0.113.5")).isEqualTo("ACTIVE");
    }

    /**
     * A scope that joined the running relationship: until the coordinator has the partner's bindings of it (its
     * UPDREQALL answered), no new client gets an address in it, since the partner may have bound any of them; this
     * server's own clients still renew.
     */
    @Test
    @Order(15)
    void aJoiningScopeRenewsItsClientsButAllocatesNothingUntilThePartnersBindingsAreHere() throws Exception {
        configured();
        allFreeAndBackup();
        sql("UPDATE lease SET state = 'ACTIVE', client_key = 'hw:1:02005e0f0081', expires_at = now() + interval"
                + " '1 hour', cltt = now() WHERE address = " + unsigned("203.0.113.2") + " RETURNING update_seq");
        FailoverStatus normal = FailoverFixtures.status(
                SERVER,
                "secondary",
                "load-balance",
                FailoverState.NORMAL,
                Instant.now(),
                FailoverState.NORMAL,
                128,
                List.of(SCOPE),
                null,
                0);
        publish(
                Topics.failoverState(SERVER),
                "fo",
                FailoverFixtures.republished(normal, normal.updatedAt(), List.of(SCOPE)));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> view.status("fo").map(s -> s.joining(SCOPE)).orElse(false));
        assertThat(ask("02005e0f0082").reason()).isEqualTo("failover-not-allocating");
        LeaseReply renewed = leases.handle(List.of(renewing("02005e0f0081", "203.0.113.2")))
                .await()
                .atMost(Duration.ofSeconds(20))
                .get(0);
        assertThat(renewed.action()).isEqualTo("ACK");
        publish(Topics.failoverState(SERVER), "fo", normal);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> view.status("fo").map(s -> !s.joining(SCOPE)).orElse(false));
        assertThat(ask("02005e0f0082").action()).isEqualTo("OFFER");
    }

    /**
     * A scope taken out of the relationship stays on the partner and leaves this server, whose bindings of it run on
     * until they expire. When it joins again they are stale (the partner served the scope meanwhile and may have given
     * those addresses to others): they are discarded, and the partner's full update brings the current ones. A scope
     * this server served all along keeps its bindings when it joins; after leaving the relationship it allocates, for
     * the relationship's MCLT, as in PARTNER-DOWN before MCLT has passed.
     */
    @Test
    @Order(16)
    void aScopeLeavingAndJoiningTheRelationshipTrustsNoBindingThePartnerMayHaveChanged() throws Exception {
        configured();
        allFreeAndBackup();
        String client = "hw:1:02005e0f0091";
        // acknowledged by the partner, and the primary's address (the split made it the secondary's: balancing moved
        // it)
        sql("UPDATE lease SET state = 'ACTIVE', client_key = '" + client + "', expires_at = now() + interval"
                + " '1 hour', cltt = now(), backup = false, update_seq = nextval('binding_update_seq') WHERE address = "
                + unsigned("203.0.113.3") + " RETURNING update_seq");
        sql("UPDATE lease SET acked_seq = update_seq, published_seq = update_seq WHERE address = "
                + unsigned("203.0.113.3") + " RETURNING update_seq");
        String unacked = "hw:1:02005e0f0095"; // a lease the partner never acknowledged: it cannot send it back
        sql("UPDATE lease SET state = 'ACTIVE', client_key = '" + unacked + "', expires_at = now() + interval"
                + " '1 hour', cltt = now(), update_seq = nextval('binding_update_seq') WHERE address = "
                + unsigned("203.0.113.5") + " RETURNING update_seq");
        long revision = config.current().orElseThrow().revision();

        apply(configuration(revision + 1, false, false));
        assertThat(stateOf("203.0.113.3"))
                .as("a binding outlives its scope here")
                .isEqualTo("ACTIVE");
        apply(configuration(revision + 2, true, true));
        assertThat(stateOf("203.0.113.3")).isEqualTo("FREE");
        assertThat(column("client_key", "203.0.113.3")).isNull();
        assertThat(backup("203.0.113.3"))
                .as("the split of the joining scope, as on the partner, whatever it was before")
                .isTrue();
        assertThat(column("(update_seq > acked_seq)", "203.0.113.3"))
                .as("nothing of it sent")
                .isEqualTo("false");
        assertThat(stateOf("203.0.113.5")).isEqualTo("ACTIVE");
        assertThat(column("client_key", "203.0.113.5")).isEqualTo(unacked);
        allFreeAndBackup();

        apply(configuration(revision + 3, true, false));
        sql("UPDATE lease SET state = 'ACTIVE', client_key = '" + client + "', expires_at = now() + interval"
                + " '1 hour', cltt = now() WHERE address = " + unsigned("203.0.113.4") + " RETURNING update_seq");
        // Left the relationship, within its MCLT: only this (secondary) server's own free addresses, no expired one
        // to another client (the partner may have extended that lease or bound the primary's free ones unheard of).
        sql("UPDATE lease SET backup = false WHERE address = " + unsigned("203.0.113.2") + " RETURNING update_seq");
        sql("UPDATE lease SET state = 'EXPIRED', client_key = 'hw:1:02005e0f0092', expires_at = NULL WHERE address = "
                + unsigned("203.0.113.3") + " RETURNING update_seq");
        assertThat(ask("02005e0f0093").address()).isEqualTo("203.0.113.5");
        assertThat(ask("02005e0f0094").reason()).isEqualTo("pool-exhausted");
        apply(configuration(revision + 4, true, true));
        assertThat(stateOf("203.0.113.4")).as("served here all along").isEqualTo("ACTIVE");
        assertThat(column("client_key", "203.0.113.4")).isEqualTo(client);
        allFreeAndBackup();
    }

    static LeaseRequest renewing(String mac, String address) {
        LeaseRequest d = discover(mac);
        return new LeaseRequest(
                d.version(),
                d.server(),
                d.scope(),
                "REQUEST",
                d.clientKey(),
                d.htype(),
                d.hardwareAddress(),
                d.clientId(),
                8,
                address,
                d.giaddr(),
                null,
                null,
                null,
                null,
                null,
                d.parameterRequestList(),
                false,
                Instant.now());
    }

    /**
     * A replica whose failover-state consumer lags (or whose coordinator is gone) does not act on an old state: a state
     * published longer ago than max-failover-state-age allocates nothing, the same state published now does.
     */
    @Test
    @Order(14)
    void aStatePublishedTooLongAgoIsNotActedOn() throws Exception {
        configured();
        allFreeAndBackup();
        Instant since = Instant.now().minusSeconds(120);
        FailoverStatus fresh = FailoverFixtures.status(
                SERVER,
                "secondary",
                "load-balance",
                FailoverState.PARTNER_DOWN,
                since,
                FailoverState.UNKNOWN,
                128,
                List.of(SCOPE),
                null,
                0);
        FailoverStatus old = FailoverFixtures.republished(fresh, Instant.now().minusSeconds(31), null);
        publish(Topics.failoverState(SERVER), "fo", old);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> view.status("fo").map(s -> s.since().equals(since)).orElse(false));
        assertThat(ask("02005e0f0071").reason()).isEqualTo("failover-not-serving");

        publish(Topics.failoverState(SERVER), "fo", fresh);
        await().atMost(Duration.ofSeconds(30)).until(() -> view.status("fo")
                .map(s -> s.updatedAt().equals(fresh.updatedAt()))
                .orElse(false));
        assertThat(ask("02005e0f0071").action()).isEqualTo("OFFER");
    }

    /**
     * An operator's release in a failover scope is carried out only where this server changes bindings for its
     * clients: in RECOVER (its bindings may be stale, the partner's newer) it is refused and the lease stays; in NORMAL
     * the lease ends as released and goes to the partner as a binding update.
     */
    @Test
    @Order(15)
    void anOperatorsReleaseIsRefusedWhereThisServerChangesNoBinding() throws Exception {
        configured();
        allFreeAndBackup();
        String address = "203.0.113.4";
        sql(
                "UPDATE lease SET state = 'ACTIVE', client_key = 'hw:1:02005e0f0091', expires_at = now() + interval '1 hour'"
                        + " WHERE address = " + unsigned(address) + " RETURNING 0");
        state(FailoverState.RECOVER, Instant.now());
        LeaseCommandResult refused = commands.handle(
                        new LeaseCommand(LeaseCommand.VERSION, LeaseCommand.RELEASE, address, "admin", Instant.now()))
                .await()
                .atMost(Duration.ofSeconds(20));
        assertThat(refused.outcome()).isEqualTo(LeaseCommandResult.REFUSED);
        assertThat(refused.detail()).contains("RECOVER");
        assertThat(stateOf(address)).isEqualTo("ACTIVE");

        long before = lastUpdate();
        state(FailoverState.NORMAL, Instant.now());
        LeaseCommandResult released = commands.handle(
                        new LeaseCommand(LeaseCommand.VERSION, LeaseCommand.RELEASE, address, "admin", Instant.now()))
                .await()
                .atMost(Duration.ofSeconds(20));
        assertThat(released.outcome()).isEqualTo(LeaseCommandResult.RELEASED);
        assertThat(stateOf(address)).isEqualTo("RELEASED");
        assertThat(lastUpdate()).as("a binding update for the partner").isGreaterThan(before);
    }

    static long unsigned(String address) {
        return Ipv4.parse(address).unsigned();
    }

    /** Runs a statement that returns update numbers; returns the first (0 if none). */
    static long sql(String statement) throws Exception {
        try (Connection c = TestPostgres.connect("lease_failover");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(statement)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    void ack(String address, long sequence, long potential) {
        bindings.acknowledge(
                        List.of(new BindingAck(BindingAck.VERSION, "fo", address, sequence, potential, null, null, 0)))
                .await()
                .atMost(Duration.ofSeconds(20));
    }

    /** The partner's update is applied and acknowledged without a reject reason. */
    void assertApplied(Binding binding, long sequence) {
        assertThat(bindings.apply(List.of(BindingUpdate.of("fo", binding, sequence)))
                        .await()
                        .atMost(Duration.ofSeconds(20)))
                .extracting(BindingAck::rejectReason)
                .containsExactly((String) null);
    }

    static String stateOf(String address) throws Exception {
        return column("state", address);
    }

    /** Every pool address of the scope free, owned by this secondary, and known to the partner. */
    static void allFreeAndBackup() throws Exception {
        try (Connection c = TestPostgres.connect("lease_failover");
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE lease SET state = 'FREE', client_key = NULL, expires_at = NULL, backup = true,"
                    + " published_seq = update_seq, acked_seq = update_seq WHERE scope = '" + SCOPE + "'");
        }
    }

    static long lastUpdate() throws Exception {
        try (Connection c = TestPostgres.connect("lease_failover");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT max(update_seq) FROM lease")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long backupCount() throws Exception {
        try (Connection c = TestPostgres.connect("lease_failover");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM lease WHERE backup AND state = 'FREE' AND scope = '" + SCOPE + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Sends the lease-service a coordinator command, and returns the binding-updates topic read from its start up to
     * the marker that answers the command, the marker last.
     */
    static List<BindingUpdate> answer(String command, String requestId, Long revision) throws Exception {
        return answer(new FailoverCommand(1, "fo", command, requestId, List.of(SCOPE), revision, null, null));
    }

    static List<BindingUpdate> answerUpTo(String requestId, long upTo) throws Exception {
        return answer(new FailoverCommand(
                1, "fo", FailoverCommand.RESEND_UNACKED, requestId, List.of(SCOPE), null, null, upTo));
    }

    static List<BindingUpdate> answer(FailoverCommand c) throws Exception {
        String requestId = c.requestId();
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> updates = bindingUpdates(kafka);
            try {
                publish(Topics.failoverCommands(SERVER), "fo", c);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> parsed(updates).stream().anyMatch(u -> requestId.equals(u.resendDone())));
                List<BindingUpdate> all = parsed(updates);
                int end = 0;
                while (!requestId.equals(all.get(end).resendDone())) {
                    end++;
                }
                return all.subList(0, end + 1);
            } finally {
                updates.stop();
            }
        }
    }

    /** This server's binding-updates topic, read from its start. */
    static ConsumerTask<String, String> bindingUpdates(KafkaCompanion kafka) {
        return kafka.consumeStrings()
                .withGroupId("test-" + java.util.UUID.randomUUID())
                .withOffsetReset(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.bindingUpdates(SERVER));
    }

    static List<BindingUpdate> parsed(ConsumerTask<String, String> task) {
        return task.getRecords().stream()
                .map(r -> {
                    try {
                        return dev.tandem.protocol.bus.Json.mapper().readValue(r.value(), BindingUpdate.class);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                })
                .toList();
    }
}

package dev.tandem.lease.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tandem.lease.NamedServer;
import dev.tandem.lease.domain.Dhcid;
import dev.tandem.lease.domain.DnsPlan.Registration;
import dev.tandem.lease.domain.DnsPlan.Target;
import dev.tandem.lease.service.ConfigHolder;
import dev.tandem.lease.service.DnsRegistrar;
import dev.tandem.protocol.bus.ClientKeys;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Ddns;
import dev.tandem.protocol.bus.ServerConfig.Range;
import dev.tandem.protocol.bus.ServerConfig.Scope;
import dev.tandem.protocol.bus.Topics;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.testsupport.ServerConfigs;
import dev.tandem.testsupport.TandemTestResources;
import dev.tandem.testsupport.TestKafka;
import dev.tandem.testsupport.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DHCIDRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * Dynamic DNS against a real BIND 9: the lease-service's own lease events carried into A, DHCID and PTR records by
 * TSIG-signed updates, removed when the binding ends, a name of another client left alone, and updates made once the
 * name server is back.
 */
@QuarkusTest
@QuarkusTestResource(
        value = TandemTestResources.class,
        initArgs = @ResourceArg(name = "database", value = "lease_ddns"),
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = NamedServer.class, restrictToAnnotatedClass = true)
class DnsUpdatesTest {

    static final String REPLY_TOPIC = "test.ddns-replies";

    @Inject
    ConfigHolder config;

    @Inject
    MeterRegistry metrics;

    @Inject
    DnsRegistrar registrar;

    @BeforeEach
    void configured() {
        if (config.current().isEmpty()) {
            ServerConfigs.publish(new ServerConfig(
                    ServerConfig.VERSION,
                    NamedServer.SERVER,
                    1,
                    "192.0.2.1",
                    30,
                    600,
                    List.of(
                            // a reverse zone this name server does not serve: its PTR updates are refused
                            scope("198.51.100.0/24", "198.51.100.10", "198.51.100.20", "100.51.198.in-addr.arpa"),
                            scope("192.0.2.0/24", "192.0.2.10", "192.0.2.59", "2.0.192.in-addr.arpa"))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> config.current().isPresent());
    }

    @Test
    void aClientsHostNameGetsAnADhcidAndPtrRecordAndLosesThemWhenItReleases() throws Exception {
        String address = bind("02005e00a001", "laptop", null).address();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lookup("laptop.example.test.", Type.A).equals(List.of(address)));
        assertThat(lookup(ptr(address), Type.PTR)).containsExactly("laptop.example.test.");
        assertThat(lookup("laptop.example.test.", Type.DHCID))
                .containsExactly(java.util.Base64.getEncoder()
                        .encodeToString(Dhcid.of("hw:1:02005e00a001", "laptop.example.test.")));
        assertThat(registered(address)).isEqualTo("laptop.example.test.");
        // only signed updates are taken: the same change unsigned is refused
        Update unsigned = new Update(Name.fromString("example.test."));
        unsigned.delete(Name.fromString("laptop.example.test."), Type.A);
        assertThat(resolver().send(unsigned).getRcode()).isEqualTo(Rcode.REFUSED);

        send(request("RELEASE", "02005e00a001", address, null, "192.0.2.1", "laptop", null));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lookup("laptop.example.test.", Type.A).isEmpty());
        assertThat(lookup("laptop.example.test.", Type.DHCID)).isEmpty();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> lookup(ptr(address), Type.PTR).isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> registered(address).equals("none"));
    }

    @Test
    void aClientThatUpdatesItsOwnARecordGetsOnlyThePtrAndIsToldSo() throws Exception {
        // option 81: S=0 (the client updates A), the partial name "phone"
        String option = "000000" + HexFormat.of().formatHex("phone".getBytes(StandardCharsets.US_ASCII));
        LeaseReply ack = bind("02005e00a002", null, option);
        assertThat(ack.options()).anySatisfy(o -> {
            assertThat(o.code()).isEqualTo(81);
            assertThat(o.value())
                    .isEqualTo("00ffff"
                            + HexFormat.of().formatHex("phone.example.test.".getBytes(StandardCharsets.US_ASCII)));
        });
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lookup(ptr(ack.address()), Type.PTR).equals(List.of("phone.example.test.")));
        assertThat(lookup("phone.example.test.", Type.A)).isEmpty();
    }

    @Test
    void aNameAnotherClientHoldsIsLeftAsItIs() throws Exception {
        // "printer" is in DNS for another client (its DHCID), as the partner or an earlier server put it there
        Name printer = Name.fromString("printer.example.test.");
        Update other = new Update(Name.fromString("example.test."));
        other.add(new ARecord(printer, DClass.IN, 300, InetAddress.getByName("192.0.2.200")));
        other.add(new DHCIDRecord(printer, DClass.IN, 300, Dhcid.of("hw:1:02005e00ffff", "printer.example.test.")));
        assertThat(signed().send(other).getRcode()).isEqualTo(Rcode.NOERROR);
        double conflicts = counter("add", "conflict");

        String address = bind("02005e00a003", "printer", null).address();
        await().atMost(Duration.ofSeconds(20)).until(() -> counter("add", "conflict") > conflicts);
        assertThat(lookup("printer.example.test.", Type.A)).containsExactly("192.0.2.200");
        assertThat(lookup(ptr(address), Type.PTR)).isEmpty();
        assertThat(registered(address)).isEqualTo("none");
    }

    @Test
    void aRenewalUnderANewNameMovesTheRecordsAndAnExpiryRemovesThem() throws Exception {
        String address = bind("02005e00a004", "old-name", null).address();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lookup("old-name.example.test.", Type.A).size() == 1);
        LeaseReply renewed = exchange(request("REQUEST", "02005e00a004", address, null, null, "new-name", null));
        assertThat(renewed.action()).isEqualTo("ACK");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lookup("new-name.example.test.", Type.A).equals(List.of(address)));
        assertThat(lookup("old-name.example.test.", Type.A)).isEmpty();
        assertThat(lookup(ptr(address), Type.PTR)).containsExactly("new-name.example.test.");

        try (Connection c = TestPostgres.connect("lease_ddns");
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE lease SET expires_at = now() - interval '1 second' WHERE address = '" + address
                    + "'::inet - '0.0.0.0'::inet");
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> lookup("new-name.example.test.", Type.A).isEmpty());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> lookup(ptr(address), Type.PTR).isEmpty());
    }

    @Test
    void aNameServerThatIsDownDelaysNoReplyAndGetsTheUpdateWhenBack() throws Exception {
        NamedServer.stopNamed();
        double failures = counter("any", "failed");
        try {
            LeaseReply ack = bind("02005e00a005", "late", null);
            assertThat(ack.action()).isEqualTo("ACK");
            await().atMost(Duration.ofSeconds(20)).until(() -> counter("any", "failed") > failures);
        } finally {
            NamedServer.startNamed();
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> lookup("late.example.test.", Type.A).size() == 1);
    }

    @Test
    void anUpdateTheNameServerRefusesIsCountedHoldsNothingBackAndWhatWasAddedIsRemovedAtTheEnd() throws Exception {
        double refused = counter("add", "refused");
        LeaseReply refusedAck = bind("02005e00a006", "198.51.100.0/24", "refused", null);
        assertThat(refusedAck.action()).isEqualTo("ACK");
        await().atMost(Duration.ofSeconds(20)).until(() -> counter("add", "refused") > refused);
        // A and DHCID went in, the PTR was refused: the row stays, for the removal
        assertThat(lookup("refused.example.test.", Type.A)).containsExactly(refusedAck.address());
        assertThat(registered(refusedAck.address())).isEqualTo("refused.example.test.");
        // the next event is not held back behind it
        String address = bind("02005e00a007", "after", null).address();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lookup("after.example.test.", Type.A).equals(List.of(address)));
        // the binding ends: the A record and DHCID go although the PTR cannot
        send(request(
                "RELEASE",
                "02005e00a006",
                refusedAck.address(),
                null,
                "192.0.2.1",
                "refused",
                null,
                "198.51.100.0/24"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lookup("refused.example.test.", Type.A).isEmpty());
        assertThat(lookup("refused.example.test.", Type.DHCID)).isEmpty();
    }

    @Test
    void removingAnAddressLeavesTheClientsOtherAddressAndItsDhcid() throws Exception {
        // the events of a client's old and new address come in no fixed order: the old one's removal after the new
        // one's registration must leave the new one
        Target target = new Target(
                "example.test.", "2.0.192.in-addr.arpa.", Ipv4.parse("127.0.0.1"), NamedServer.port(), "tandem-ddns.");
        Registration old =
                new Registration(Ipv4.parse("192.0.2.100"), "hw:1:02005e00a008", "mover.example.test.", true, target);
        Registration now =
                new Registration(Ipv4.parse("192.0.2.101"), "hw:1:02005e00a008", "mover.example.test.", true, target);
        assertThat(registrar.register(old, 300).await().atMost(Duration.ofSeconds(10)))
                .isEqualTo(DnsRegistrar.Outcome.DONE);
        assertThat(registrar.register(now, 300).await().atMost(Duration.ofSeconds(10)))
                .isEqualTo(DnsRegistrar.Outcome.DONE);
        registrar.unregister(old).await().atMost(Duration.ofSeconds(10));
        assertThat(lookup("mover.example.test.", Type.A)).containsExactly("192.0.2.101");
        assertThat(lookup("mover.example.test.", Type.DHCID)).hasSize(1);
        assertThat(lookup(ptr("192.0.2.101"), Type.PTR)).containsExactly("mover.example.test.");
        registrar.unregister(now).await().atMost(Duration.ofSeconds(10));
        assertThat(lookup("mover.example.test.", Type.A)).isEmpty();
        assertThat(lookup("mover.example.test.", Type.DHCID)).isEmpty();
        // a key the lease-service does not have: refused at once, not tried again
        Registration unknownKey = new Registration(
                Ipv4.parse("192.0.2.102"),
                "hw:1:02005e00a009",
                "nokey.example.test.",
                true,
                new Target("example.test.", null, Ipv4.parse("127.0.0.1"), NamedServer.port(), "missing."));
        assertThatThrownBy(() -> registrar.register(unknownKey, 300).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(DnsRegistrar.DnsUpdateException.class, e -> {
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.getMessage()).contains("no TSIG key missing.");
                });
    }

    // --- helpers ---

    /** A scope whose names go to example.test and the reverse zone at the test's name server, signed. */
    static Scope scope(String subnet, String first, String last, String reverseZone) {
        return new Scope(
                subnet,
                List.of(new Range(first, last)),
                List.of(),
                3600,
                null,
                null,
                Map.of(),
                List.of(),
                new Ddns(
                        "example.test",
                        reverseZone,
                        "127.0.0.1",
                        NamedServer.port(),
                        NamedServer.KEY,
                        null,
                        false,
                        false,
                        null));
    }

    /** DISCOVER then REQUEST; the ACK. */
    LeaseReply bind(String mac, String hostname, String clientFqdn) throws Exception {
        return bind(mac, "192.0.2.0/24", hostname, clientFqdn);
    }

    LeaseReply bind(String mac, String scope, String hostname, String clientFqdn) throws Exception {
        LeaseReply offer = exchange(request("DISCOVER", mac, "0.0.0.0", null, null, hostname, clientFqdn, scope));
        assertThat(offer.action()).isEqualTo("OFFER");
        LeaseReply ack =
                exchange(request("REQUEST", mac, "0.0.0.0", offer.address(), "192.0.2.1", hostname, clientFqdn, scope));
        assertThat(ack.action()).isEqualTo("ACK");
        return ack;
    }

    static LeaseRequest request(
            String type,
            String mac,
            String ciaddr,
            String requested,
            String serverId,
            String hostname,
            String clientFqdn) {
        return request(type, mac, ciaddr, requested, serverId, hostname, clientFqdn, "192.0.2.0/24");
    }

    static LeaseRequest request(
            String type,
            String mac,
            String ciaddr,
            String requested,
            String serverId,
            String hostname,
            String clientFqdn,
            String scope) {
        byte[] hw = HexFormat.of().parseHex(mac);
        return new LeaseRequest(
                LeaseRequest.VERSION,
                NamedServer.SERVER,
                scope,
                type,
                ClientKeys.of(null, 1, hw),
                1,
                mac,
                null,
                7,
                ciaddr,
                "192.0.2.1",
                requested,
                serverId,
                null,
                hostname,
                null,
                List.of(1, 3, 6),
                ciaddr.equals("0.0.0.0"),
                Instant.now(),
                clientFqdn);
    }

    static LeaseReply exchange(LeaseRequest request) throws Exception {
        String correlation = UUID.randomUUID().toString();
        try (KafkaCompanion kafka = TestKafka.companion()) {
            ConsumerTask<String, String> replies = kafka.consumeStrings()
                    .withGroupId("test-" + UUID.randomUUID())
                    .withAutoCommit()
                    .fromTopics(REPLY_TOPIC);
            try {
                send(kafka, request, correlation);
                return LeaseFlowTest.JSON.readValue(
                        LeaseFlowTest.awaitReply(replies, correlation).value(), LeaseReply.class);
            } finally {
                replies.stop();
            }
        }
    }

    static void send(LeaseRequest request) throws Exception {
        try (KafkaCompanion kafka = TestKafka.companion()) {
            send(kafka, request, UUID.randomUUID().toString());
        }
    }

    static void send(KafkaCompanion kafka, LeaseRequest request, String correlation) throws Exception {
        kafka.produceStrings()
                .fromRecords(LeaseFlowTest.asRequest(
                        Topics.leaseRequests(NamedServer.SERVER),
                        request.clientKey(),
                        LeaseFlowTest.JSON.writeValueAsString(request),
                        correlation,
                        REPLY_TOPIC))
                .awaitCompletion(Duration.ofSeconds(20));
    }

    double counter(String operation, String outcome) {
        var c = metrics.find("tandem_ddns_updates_total")
                .tags("operation", operation, "outcome", outcome)
                .counter();
        return c == null ? 0 : c.count();
    }

    static String registered(String address) throws Exception {
        try (Connection c = TestPostgres.connect("lease_ddns");
                Statement s = c.createStatement();
                var rs = s.executeQuery(
                        "SELECT fqdn FROM dns_name WHERE address = '" + address + "'::inet - '0.0.0.0'::inet")) {
            return rs.next() ? rs.getString(1) : "none";
        }
    }

    static String ptr(String address) {
        String[] o = address.split("\\.");
        return o[3] + "." + o[2] + "." + o[1] + "." + o[0] + ".in-addr.arpa.";
    }

    static SimpleResolver resolver() {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.0.0.1", NamedServer.port()));
        r.setTimeout(Duration.ofSeconds(2));
        return r;
    }

    static SimpleResolver signed() {
        SimpleResolver r = resolver();
        r.setTSIGKey(new TSIG(TSIG.HMAC_SHA256, NamedServer.KEY, NamedServer.secret()));
        return r;
    }

    /** The records of this type at the name, in BIND's answer, as text. */
    static List<String> lookup(String name, int type) throws Exception {
        Message answer = resolver().send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
        return answer.getSection(Section.ANSWER).stream()
                .filter(r -> r.getType() == type)
                .map(Record::rdataToString)
                .toList();
    }
}

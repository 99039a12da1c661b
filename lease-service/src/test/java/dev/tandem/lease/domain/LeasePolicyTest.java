package dev.tandem.lease.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.lease.domain.Decision.Ack;
import dev.tandem.lease.domain.Decision.AllocateAndOffer;
import dev.tandem.lease.domain.Decision.Decline;
import dev.tandem.lease.domain.Decision.Ignore;
import dev.tandem.lease.domain.Decision.InformAck;
import dev.tandem.lease.domain.Decision.Nak;
import dev.tandem.lease.domain.Decision.Offer;
import dev.tandem.lease.domain.Decision.Release;
import dev.tandem.lease.domain.Decision.Withdraw;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.testsupport.ServerConfigs;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 2131 §4.3 as a table: request kind × what the lease table holds → decision. */
class LeasePolicyTest {

    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    static final Instant LATER = NOW.plusSeconds(600);
    static final Instant EARLIER = NOW.minusSeconds(600);
    static final String ME = "hw:1:02005e000001";
    static final String OTHER = "hw:1:02005e000002";
    static final String RESERVED_HW = "02005e0000ff";
    static final Ipv4 A = Ipv4.parse("192.0.2.10");
    static final Ipv4 B = Ipv4.parse("192.0.2.11");
    static final Ipv4 RES = Ipv4.parse("192.0.2.5");
    static final Ipv4 OUTSIDE_POOL = Ipv4.parse("192.0.2.200");
    static final Ipv4 OTHER_NET = Ipv4.parse("198.51.100.7");
    static final Ipv4 OURS = Ipv4.parse("192.0.2.1");
    static final Ipv4 THEIRS = Ipv4.parse("192.0.2.2");

    static final ScopeConfig SCOPE = ConfigValidator.validate(ServerConfigs.oneScope(
                    "192.0.2.0/24",
                    "192.0.2.10",
                    "192.0.2.100",
                    3600,
                    Map.of(),
                    List.of(new ServerConfig.Reservation(RESERVED_HW, null, "192.0.2.5", null))))
            .scopes()
            .get(0);

    static Binding row(Ipv4 address, LeaseState state, String client, Instant expires) {
        return new Binding(address, state, client, expires);
    }

    static ClientRequest req(RequestKind kind, String client, Ipv4 ciaddr, Ipv4 requested, Ipv4 serverId) {
        String hw = client.substring(client.lastIndexOf(':') + 1);
        return new ClientRequest(
                kind,
                client,
                null,
                hw,
                ciaddr == null ? Ipv4.ANY : ciaddr,
                Optional.ofNullable(requested),
                Optional.ofNullable(serverId),
                OURS.equals(serverId));
    }

    static Arguments row(
            String rule, ClientRequest request, Binding clientBinding, Binding subject, Decision expected) {
        return Arguments.of(rule, request, Optional.ofNullable(clientBinding), Optional.ofNullable(subject), expected);
    }

    static Stream<Arguments> table() {
        String reserved = "hw:1:" + RESERVED_HW;
        return Stream.of(
                // --- DISCOVER (§4.3.1) ---
                row(
                        "new client, nothing requested: allocate",
                        req(RequestKind.DISCOVER, ME, null, null, null),
                        null,
                        null,
                        new AllocateAndOffer()),
                row(
                        "client with a lease gets it again",
                        req(RequestKind.DISCOVER, ME, null, null, null),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        null,
                        new Offer(A)),
                row(
                        "client with an expired lease gets it back",
                        req(RequestKind.DISCOVER, ME, null, null, null),
                        row(A, LeaseState.EXPIRED, ME, null),
                        null,
                        new Offer(A)),
                row(
                        "client with a released lease gets it back",
                        req(RequestKind.DISCOVER, ME, null, null, null),
                        row(A, LeaseState.RELEASED, ME, null),
                        null,
                        new Offer(A)),
                row(
                        "requested free address is honoured",
                        req(RequestKind.DISCOVER, ME, null, B, null),
                        null,
                        row(B, LeaseState.FREE, null, null),
                        new Offer(B)),
                row(
                        "requested address held by another: allocate",
                        req(RequestKind.DISCOVER, ME, null, B, null),
                        null,
                        row(B, LeaseState.ACTIVE, OTHER, LATER),
                        new AllocateAndOffer()),
                row(
                        "requested address whose lease ran out is honoured",
                        req(RequestKind.DISCOVER, ME, null, B, null),
                        null,
                        row(B, LeaseState.ACTIVE, OTHER, EARLIER),
                        new Offer(B)),
                row(
                        "requested address outside the pool: allocate",
                        req(RequestKind.DISCOVER, ME, null, OUTSIDE_POOL, null),
                        null,
                        null,
                        new AllocateAndOffer()),
                row(
                        "requested address reserved for another: allocate",
                        req(RequestKind.DISCOVER, ME, null, RES, null),
                        null,
                        row(RES, LeaseState.FREE, null, null),
                        new AllocateAndOffer()),
                row(
                        "declined address is not offered",
                        req(RequestKind.DISCOVER, ME, null, B, null),
                        null,
                        row(B, LeaseState.DECLINED, OTHER, LATER),
                        new AllocateAndOffer()),
                row(
                        "reserved client gets its reservation",
                        req(RequestKind.DISCOVER, reserved, null, B, null),
                        null,
                        row(B, LeaseState.FREE, null, null),
                        new Offer(RES)),
                // --- REQUEST in SELECTING (§4.3.2) ---
                row(
                        "selecting our offer: commit",
                        req(RequestKind.SELECTING, ME, null, A, OURS),
                        row(A, LeaseState.OFFERED, ME, LATER),
                        row(A, LeaseState.OFFERED, ME, LATER),
                        new Ack(A, false)),
                row(
                        "selecting after the offer timed out, address still free: commit",
                        req(RequestKind.SELECTING, ME, null, A, OURS),
                        row(A, LeaseState.OFFERED, ME, EARLIER),
                        row(A, LeaseState.OFFERED, ME, EARLIER),
                        new Ack(A, false)),
                row(
                        "selecting an address another client took: NAK",
                        req(RequestKind.SELECTING, ME, null, A, OURS),
                        null,
                        row(A, LeaseState.ACTIVE, OTHER, LATER),
                        new Nak("offer expired or address no longer available")),
                row(
                        "selecting another server: withdraw our offer",
                        req(RequestKind.SELECTING, ME, null, B, THEIRS),
                        row(A, LeaseState.OFFERED, ME, LATER),
                        null,
                        new Withdraw(A)),
                row(
                        "selecting another server without our offer: ignore",
                        req(RequestKind.SELECTING, ME, null, B, THEIRS),
                        null,
                        null,
                        new Ignore("selected-other-server")),
                row(
                        "reserved client selecting a different address: NAK",
                        req(RequestKind.SELECTING, reserved, null, A, OURS),
                        null,
                        row(A, LeaseState.FREE, null, null),
                        new Nak("address is not the one reserved for this client")),
                row(
                        "reserved client selecting the address offered after its reservation was declined: commit",
                        req(RequestKind.SELECTING, reserved, null, A, OURS),
                        row(A, LeaseState.OFFERED, reserved, LATER),
                        row(A, LeaseState.OFFERED, reserved, LATER),
                        new Ack(A, false)),
                row(
                        "reserved client rebooting on the address it holds instead of its reservation: ACK",
                        req(RequestKind.INIT_REBOOT, reserved, null, A, null),
                        row(A, LeaseState.ACTIVE, reserved, LATER),
                        row(A, LeaseState.ACTIVE, reserved, LATER),
                        new Ack(A, true)),
                row(
                        "reserved client selecting its reservation: commit",
                        req(RequestKind.SELECTING, reserved, null, RES, OURS),
                        row(RES, LeaseState.OFFERED, reserved, LATER),
                        row(RES, LeaseState.OFFERED, reserved, LATER),
                        new Ack(RES, false)),
                // --- REQUEST in INIT-REBOOT (§4.3.2) ---
                row(
                        "init-reboot on the wrong network: NAK",
                        req(RequestKind.INIT_REBOOT, ME, null, OTHER_NET, null),
                        null,
                        null,
                        new Nak("address is not on this network")),
                row(
                        "init-reboot with our lease: ACK",
                        req(RequestKind.INIT_REBOOT, ME, null, A, null),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        new Ack(A, true)),
                row(
                        "init-reboot with an expired lease not reused: ACK",
                        req(RequestKind.INIT_REBOOT, ME, null, A, null),
                        row(A, LeaseState.EXPIRED, ME, null),
                        row(A, LeaseState.EXPIRED, ME, null),
                        new Ack(A, false)),
                row(
                        "init-reboot for another client's address: NAK",
                        req(RequestKind.INIT_REBOOT, ME, null, A, null),
                        null,
                        row(A, LeaseState.ACTIVE, OTHER, LATER),
                        new Nak("address is in use by another client")),
                row(
                        "init-reboot without a record: silent",
                        req(RequestKind.INIT_REBOOT, ME, null, A, null),
                        null,
                        row(A, LeaseState.FREE, null, null),
                        new Ignore("init-reboot-unknown-client")),
                // --- RENEWING and REBINDING (§4.3.2) ---
                row(
                        "renewing our lease: ACK",
                        req(RequestKind.RENEWING, ME, A, null, null),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        new Ack(A, true)),
                row(
                        "rebinding our lease: ACK",
                        req(RequestKind.REBINDING, ME, A, null, null),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        new Ack(A, true)),
                row(
                        "renewing another client's address: NAK",
                        req(RequestKind.RENEWING, ME, A, null, null),
                        null,
                        row(A, LeaseState.ACTIVE, OTHER, LATER),
                        new Nak("address is in use by another client")),
                row(
                        "renewing a lost binding on a free address: bind again",
                        req(RequestKind.RENEWING, ME, A, null, null),
                        null,
                        row(A, LeaseState.FREE, null, null),
                        new Ack(A, false)),
                row(
                        "renewing an address outside the pool: NAK",
                        req(RequestKind.RENEWING, ME, OUTSIDE_POOL, null, null),
                        null,
                        null,
                        new Nak("address is not available from this server")),
                row(
                        "rebinding on the wrong network: NAK",
                        req(RequestKind.REBINDING, ME, OTHER_NET, null, null),
                        null,
                        null,
                        new Nak("address is not on this network")),
                // --- DECLINE (§4.3.3), RELEASE (§4.3.4), INFORM (§4.3.5) ---
                row(
                        "decline of our lease",
                        req(RequestKind.DECLINE, ME, null, A, OURS),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        new Decline(A)),
                row(
                        "decline of an address not ours: ignore",
                        req(RequestKind.DECLINE, ME, null, A, OURS),
                        null,
                        row(A, LeaseState.ACTIVE, OTHER, LATER),
                        new Ignore("decline-without-binding")),
                row(
                        "decline to another server: ignore",
                        req(RequestKind.DECLINE, ME, null, A, THEIRS),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        new Ignore("decline-for-other-server")),
                row(
                        "release of our lease",
                        req(RequestKind.RELEASE, ME, A, null, OURS),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        new Release(A)),
                row(
                        "release of another client's lease: ignore",
                        req(RequestKind.RELEASE, ME, A, null, OURS),
                        null,
                        row(A, LeaseState.ACTIVE, OTHER, LATER),
                        new Ignore("release-without-binding")),
                row(
                        "release to another server: ignore",
                        req(RequestKind.RELEASE, ME, A, null, THEIRS),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        row(A, LeaseState.ACTIVE, ME, LATER),
                        new Ignore("release-for-other-server")),
                row(
                        "inform: configuration only",
                        req(RequestKind.INFORM, ME, A, null, null),
                        null,
                        null,
                        new InformAck()),
                row(
                        "request fitting no state: ignore",
                        req(RequestKind.INVALID, ME, null, null, null),
                        null,
                        null,
                        new Ignore("request-fits-no-client-state")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(
            String rule,
            ClientRequest request,
            Optional<Binding> clientBinding,
            Optional<Binding> subject,
            Decision expected) {
        assertThat(LeasePolicy.decide(request, SCOPE, clientBinding, subject, NOW))
                .isEqualTo(expected);
    }
}

package dev.tandem.gateway.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.dhcp.DhcpMessage;
import dev.tandem.protocol.dhcp.DhcpOption;
import dev.tandem.protocol.dhcp.MessageType;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.failover.LoadBalance;
import dev.tandem.protocol.failover.ServiceRules.Kind;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.testsupport.FailoverFixtures;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailoverFilterTest {

    /** Bucket 57: the primary's half with split 128. */
    static final byte[] PRIMARY_MAC = HexFormat.of().parseHex("aabbccddeeff");
    /** Bucket 135: the secondary's half. */
    static final byte[] SECONDARY_MAC = HexFormat.of().parseHex("001122334455");

    static FailoverStatus status(String role, String mode, FailoverState state, int split) {
        return FailoverFixtures.status(
                "dhcp-a",
                role,
                mode,
                state,
                Instant.now(),
                FailoverState.NORMAL,
                split,
                List.of("192.0.2.0/24"),
                null,
                0);
    }

    static DhcpMessage discover(byte[] mac, int secs) {
        return DhcpMessage.builder().htype(1).hlen(6).chaddr(mac).secs(secs).build();
    }

    @Test
    void loadBalanceSplitsDiscoversByTheRfc3074Bucket() {
        FailoverStatus primary = status("primary", "load-balance", FailoverState.NORMAL, 128);
        FailoverStatus secondary = status("secondary", "load-balance", FailoverState.NORMAL, 128);
        assertThat(FailoverFilter.answers(primary, discover(PRIMARY_MAC, 0), MessageType.DISCOVER, Instant.now()))
                .isTrue();
        assertThat(FailoverFilter.answers(secondary, discover(PRIMARY_MAC, 0), MessageType.DISCOVER, Instant.now()))
                .isFalse();
        assertThat(FailoverFilter.answers(primary, discover(SECONDARY_MAC, 0), MessageType.DISCOVER, Instant.now()))
                .isFalse();
        assertThat(FailoverFilter.answers(secondary, discover(SECONDARY_MAC, 0), MessageType.DISCOVER, Instant.now()))
                .isTrue();
        // a client retrying for longer than load-balance-max-seconds is answered by both
        assertThat(FailoverFilter.answers(secondary, discover(PRIMARY_MAC, 10), MessageType.DISCOVER, Instant.now()))
                .isTrue();
    }

    @Test
    void theClientIdentifierIsTheHashKeyWhenPresent() {
        // client id 01:aa:bb:cc:dd:ee:ff hashes to bucket 102 (the primary's), whatever the chaddr
        DhcpMessage m = DhcpMessage.builder()
                .htype(1)
                .hlen(6)
                .chaddr(SECONDARY_MAC)
                .option(DhcpOption.CLIENT_IDENTIFIER, HexFormat.of().parseHex("01aabbccddeeff"))
                .build();
        assertThat(LoadBalance.bucket(FailoverFilter.hashKey(m))).isEqualTo(102);
        assertThat(FailoverFilter.answers(
                        status("primary", "load-balance", FailoverState.NORMAL, 128),
                        m,
                        MessageType.DISCOVER,
                        Instant.now()))
                .isTrue();
    }

    @Test
    void hotStandbyOnlyTheActiveAnswersNewClients() {
        FailoverStatus active = status("primary", "hot-standby", FailoverState.NORMAL, 256);
        FailoverStatus standby = status("secondary", "hot-standby", FailoverState.NORMAL, 256);
        for (byte[] mac : List.of(PRIMARY_MAC, SECONDARY_MAC)) {
            assertThat(FailoverFilter.answers(active, discover(mac, 30), MessageType.DISCOVER, Instant.now()))
                    .isTrue();
            assertThat(FailoverFilter.answers(standby, discover(mac, 30), MessageType.DISCOVER, Instant.now()))
                    .isFalse();
        }
        FailoverStatus alone = status("secondary", "hot-standby", FailoverState.COMMUNICATIONS_INTERRUPTED, 256);
        assertThat(FailoverFilter.answers(alone, discover(PRIMARY_MAC, 0), MessageType.DISCOVER, Instant.now()))
                .isTrue();
    }

    @Test
    void unknownStateAndRecoveringServersAnswerNothing() {
        assertThat(FailoverFilter.answers(null, discover(PRIMARY_MAC, 0), MessageType.DISCOVER, Instant.now()))
                .isFalse();
        assertThat(FailoverFilter.answers(
                        status("primary", "load-balance", FailoverState.RECOVER, 128),
                        discover(PRIMARY_MAC, 0),
                        MessageType.DISCOVER,
                        Instant.now()))
                .isFalse();
    }

    @Test
    void requestsAreClassifiedAsTheDraftDistinguishesThem() {
        DhcpMessage selecting = DhcpMessage.builder()
                .option(DhcpOption.SERVER_IDENTIFIER, Ipv4.parse("192.0.2.1").toBytes())
                .build();
        DhcpMessage initReboot = DhcpMessage.builder()
                .option(DhcpOption.REQUESTED_ADDRESS, Ipv4.parse("192.0.2.10").toBytes())
                .build();
        DhcpMessage renewing =
                DhcpMessage.builder().ciaddr(Ipv4.parse("192.0.2.10")).build();
        assertThat(FailoverFilter.kind(selecting, MessageType.REQUEST)).isEqualTo(Kind.REQUEST_SELECTING);
        assertThat(FailoverFilter.kind(initReboot, MessageType.REQUEST)).isEqualTo(Kind.REQUEST_INIT_REBOOT);
        assertThat(FailoverFilter.kind(renewing, MessageType.REQUEST)).isEqualTo(Kind.REQUEST_RENEWING);
        assertThat(FailoverFilter.kind(renewing, MessageType.RELEASE)).isEqualTo(Kind.RELEASE);
        // a renewal goes to whichever server the client asks, in NORMAL
        assertThat(FailoverFilter.answers(
                        status("secondary", "load-balance", FailoverState.NORMAL, 256),
                        renewing,
                        MessageType.REQUEST,
                        Instant.now()))
                .isTrue();
    }
}

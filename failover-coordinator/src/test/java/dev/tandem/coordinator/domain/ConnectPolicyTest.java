package dev.tandem.coordinator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.coordinator.domain.ConnectPolicy.Refusal;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.FailoverOption;
import dev.tandem.protocol.failover.LoadBalance;
import dev.tandem.protocol.failover.RejectReason;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The handshake's checks (§7.8, §7.9), each refusal with its reject reason, the first that applies winning. */
class ConnectPolicyTest {

    static final long NOW = 1_796_700_000L;
    static final long SKEW = 30;

    static FailoverMessage connect(String relationship, long time) {
        return FailoverMessages.connect(time, relationship, 10, 60, "tandem", 20, LoadBalance.Buckets.split(128));
    }

    static FailoverMessage without(FailoverMessage m, FailoverOption option) {
        return m.withOptions(
                m.options().stream().filter(o -> o.code() != option.code()).toList());
    }

    static Optional<RejectReason> secondary(FailoverMessage m, boolean connected) {
        return ConnectPolicy.connect(false, "pair", m, NOW, SKEW, connected).map(Refusal::reason);
    }

    @Test
    void aSecondaryTakesAConnectOfItsRelationshipWithinTheSkew() {
        assertThat(secondary(connect("pair", NOW), false)).isEmpty();
        assertThat(secondary(connect("pair", NOW - SKEW), false)).isEmpty();
        assertThat(secondary(connect("pair", NOW + SKEW), false)).isEmpty();
    }

    @Test
    void eachCheckRefusesWithItsReason() {
        assertThat(ConnectPolicy.connect(true, "pair", connect("pair", NOW), NOW, SKEW, false))
                .contains(new Refusal(RejectReason.INVALID_PARTNER, "both servers are configured as primary"));
        assertThat(ConnectPolicy.connect(false, "pair", connect("other", NOW), NOW, SKEW, false))
                .contains(new Refusal(RejectReason.INVALID_PARTNER, "unknown failover relationship name other"));
        assertThat(ConnectPolicy.connect(false, "pair", connect("pair", NOW - SKEW - 1), NOW, SKEW, false))
                .contains(new Refusal(RejectReason.TIME_MISMATCH, "time offset too large: 31 s"));
        assertThat(ConnectPolicy.connect(
                        false,
                        "pair",
                        without(connect("pair", NOW), FailoverOption.HASH_BUCKET_ASSIGNMENT),
                        NOW,
                        SKEW,
                        false))
                .contains(new Refusal(RejectReason.HBA_CONFLICT, "invalid HBA"));
        FailoverMessage shortHba = connect("pair", NOW);
        shortHba = shortHba.withOptions(shortHba.options().stream()
                .map(o -> o.code() == FailoverOption.HASH_BUCKET_ASSIGNMENT.code()
                        ? FailoverMessage.Option.bytes(FailoverOption.HASH_BUCKET_ASSIGNMENT, new byte[31])
                        : o)
                .toList());
        assertThat(secondary(shortHba, false)).contains(RejectReason.HBA_CONFLICT);
        assertThat(ConnectPolicy.connect(
                        false, "pair", without(connect("pair", NOW), FailoverOption.MCLT), NOW, SKEW, false))
                .contains(new Refusal(RejectReason.INVALID_MCLT, "no MCLT provided"));
        assertThat(ConnectPolicy.connect(false, "pair", connect("pair", NOW), NOW, SKEW, true))
                .contains(new Refusal(RejectReason.DUPLICATE_CONNECTION, "already connected"));
    }

    @Test
    void theFirstCheckThatFailsNamesTheRefusal() {
        // another relationship, off in time, already connected: the name is what is wrong first
        assertThat(secondary(connect("other", NOW + 1000), true)).contains(RejectReason.INVALID_PARTNER);
        assertThat(secondary(without(connect("pair", NOW + 1000), FailoverOption.MCLT), true))
                .contains(RejectReason.TIME_MISMATCH);
        // both primary and another relationship: primary first
        assertThat(ConnectPolicy.connect(true, "pair", connect("other", NOW + 1000), NOW, SKEW, true))
                .contains(new Refusal(RejectReason.INVALID_PARTNER, "both servers are configured as primary"));
        // no HBA and no MCLT: the HBA first; no MCLT and connected: the MCLT first
        assertThat(secondary(
                        without(
                                without(connect("pair", NOW), FailoverOption.MCLT),
                                FailoverOption.HASH_BUCKET_ASSIGNMENT),
                        true))
                .contains(RejectReason.HBA_CONFLICT);
        assertThat(secondary(without(connect("pair", NOW), FailoverOption.MCLT), true))
                .contains(RejectReason.INVALID_MCLT);
    }

    @Test
    void aPrimaryTakesAConnectAckOfItsRelationshipWithinTheSkew() {
        FailoverMessage ack = FailoverMessages.connectAck(NOW + SKEW, 1, "pair", 10, 60, "tandem", null, null);
        assertThat(ConnectPolicy.connectAck("pair", ack, NOW, SKEW)).isEmpty();
        assertThat(ConnectPolicy.connectAck("other", ack, NOW, SKEW))
                .contains(new Refusal(RejectReason.INVALID_PARTNER, "relationship name mismatch"));
        assertThat(ConnectPolicy.connectAck("pair", ack, NOW - 1, SKEW))
                .contains(new Refusal(RejectReason.TIME_MISMATCH, "time offset too large"));
        assertThat(ConnectPolicy.connectAck("other", ack, NOW - 1, SKEW))
                .as("the name first")
                .contains(new Refusal(RejectReason.INVALID_PARTNER, "relationship name mismatch"));
    }
}

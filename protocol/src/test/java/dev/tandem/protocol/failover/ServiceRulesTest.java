package dev.tandem.protocol.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.failover.ServiceRules.Kind;
import dev.tandem.protocol.failover.ServiceRules.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ServiceRulesTest {

    static final LoadBalance.Buckets HALF = LoadBalance.Buckets.split(128);
    static final int PRIMARY_BUCKET = 57; // aa:bb:cc:dd:ee:ff
    static final int SECONDARY_BUCKET = 135; // 00:11:22:33:44:55

    static boolean answers(FailoverState s, boolean primary, Kind kind, int bucket, int secs) {
        return ServiceRules.answers(s, primary, true, HALF, kind, bucket, secs, 3);
    }

    @ParameterizedTest
    @EnumSource(FailoverState.class)
    void everyStateHasItsAnswerSet(FailoverState state) {
        Set<FailoverState> all = EnumSet.of(
                FailoverState.COMMUNICATIONS_INTERRUPTED,
                FailoverState.PARTNER_DOWN,
                FailoverState.RESOLUTION_INTERRUPTED);
        Set<FailoverState> balanced = EnumSet.of(FailoverState.NORMAL, FailoverState.CONFLICT_DONE);
        for (Kind kind : Kind.values()) {
            for (boolean primary : new boolean[] {true, false}) {
                boolean mine = primary; // PRIMARY_BUCKET belongs to the primary
                boolean expected;
                if (all.contains(state)) {
                    expected = true;
                } else if (balanced.contains(state)) {
                    expected = switch (kind) {
                        case DISCOVER, REQUEST_INIT_REBOOT, INFORM -> mine;
                        default -> true;
                    };
                } else if (state == FailoverState.RECOVER_DONE) {
                    expected = kind == Kind.REQUEST_RENEWING;
                } else {
                    expected = false;
                }
                assertThat(answers(state, primary, kind, PRIMARY_BUCKET, 0))
                        .as("%s %s primary=%s", state, kind, primary)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void normalSplitsDiscoversByBucket() {
        assertThat(answers(FailoverState.NORMAL, true, Kind.DISCOVER, PRIMARY_BUCKET, 0))
                .isTrue();
        assertThat(answers(FailoverState.NORMAL, false, Kind.DISCOVER, PRIMARY_BUCKET, 0))
                .isFalse();
        assertThat(answers(FailoverState.NORMAL, true, Kind.DISCOVER, SECONDARY_BUCKET, 0))
                .isFalse();
        assertThat(answers(FailoverState.NORMAL, false, Kind.DISCOVER, SECONDARY_BUCKET, 0))
                .isTrue();
    }

    @Test
    void aClientThatWaitedLongIsAnsweredByBothUnlessTheBypassIsOffOrHotStandby() {
        assertThat(answers(FailoverState.NORMAL, false, Kind.DISCOVER, PRIMARY_BUCKET, 4))
                .isTrue();
        assertThat(answers(FailoverState.NORMAL, false, Kind.DISCOVER, PRIMARY_BUCKET, 3))
                .isFalse();
        assertThat(answers(FailoverState.NORMAL, false, Kind.DISCOVER, PRIMARY_BUCKET, 0x0400))
                .isTrue();
        assertThat(answers(FailoverState.NORMAL, false, Kind.DISCOVER, PRIMARY_BUCKET, 0x0300))
                .isFalse();
        assertThat(ServiceRules.answers(FailoverState.NORMAL, false, true, HALF, Kind.DISCOVER, PRIMARY_BUCKET, 100, 0))
                .isFalse();
        LoadBalance.Buckets all = LoadBalance.Buckets.split(256);
        assertThat(ServiceRules.answers(
                        FailoverState.NORMAL, false, false, all, Kind.DISCOVER, SECONDARY_BUCKET, 100, 3))
                .isFalse();
        assertThat(ServiceRules.answers(FailoverState.NORMAL, true, false, all, Kind.DISCOVER, SECONDARY_BUCKET, 0, 3))
                .isTrue();
    }

    @Test
    void partnerDownTakesThePartnersPoolOnlyMcltAfterEnteringIt() {
        Instant since = Instant.parse("2026-01-01T00:00:00Z");
        Duration mclt = Duration.ofSeconds(60);
        assertThat(ServiceRules.pool(FailoverState.PARTNER_DOWN, since, mclt, since.plusSeconds(59)))
                .isEqualTo(Pool.OWN);
        assertThat(ServiceRules.pool(FailoverState.PARTNER_DOWN, since, mclt, since.plusSeconds(60)))
                .isEqualTo(Pool.ALL);
        assertThat(ServiceRules.pool(FailoverState.NORMAL, since, mclt, since.plusSeconds(600)))
                .isEqualTo(Pool.OWN);
        assertThat(ServiceRules.pool(FailoverState.COMMUNICATIONS_INTERRUPTED, since, mclt, since))
                .isEqualTo(Pool.OWN);
        for (FailoverState s : EnumSet.of(
                FailoverState.STARTUP,
                FailoverState.RECOVER,
                FailoverState.RECOVER_WAIT,
                FailoverState.RECOVER_DONE,
                FailoverState.POTENTIAL_CONFLICT,
                FailoverState.PAUSED,
                FailoverState.SHUTDOWN,
                FailoverState.UNKNOWN)) {
            assertThat(ServiceRules.pool(s, since, mclt, since.plusSeconds(6000)))
                    .as("%s", s)
                    .isEqualTo(Pool.NONE);
        }
    }

    @Test
    void leaseTimeNeverExceedsAcknowledgedPotentialPlusMclt() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Duration mclt = Duration.ofHours(1);
        long threeDays = 3 * 86400;
        assertThat(ServiceRules.leaseTime(threeDays, null, mclt, now)).isEqualTo(3600);
        assertThat(ServiceRules.potentialExpiration(threeDays, 3600, now)).isEqualTo(now.plusSeconds(threeDays + 1800));
        Instant acked = now.plusSeconds(threeDays + 1800);
        assertThat(ServiceRules.leaseTime(threeDays, acked, mclt, now.plusSeconds(1800)))
                .isEqualTo(threeDays);
        assertThat(ServiceRules.leaseTime(600, null, mclt, now)).isEqualTo(600);
        assertThat(ServiceRules.leaseTime(threeDays, now.minusSeconds(10), mclt, now))
                .isEqualTo(3600);
    }

    @Test
    void aServerHandingOverServesUntilThePartnerTakesOverThenFinishesOnlyWhatIsInFlight() {
        Instant since = Instant.parse("2026-01-01T00:00:00Z");
        Duration mclt = Duration.ofSeconds(60);
        // partner not yet PARTNER-DOWN: as in NORMAL
        assertThat(ServiceRules.answers(
                        FailoverState.SHUTDOWN,
                        FailoverState.NORMAL,
                        true,
                        true,
                        true,
                        HALF,
                        Kind.DISCOVER,
                        PRIMARY_BUCKET,
                        0,
                        3))
                .isTrue();
        assertThat(ServiceRules.pool(FailoverState.SHUTDOWN, FailoverState.NORMAL, true, since, mclt, since))
                .isEqualTo(Pool.OWN);
        // partner PARTNER-DOWN: only exchanges in flight
        for (Kind kind : Kind.values()) {
            boolean inFlight = kind == Kind.REQUEST_SELECTING
                    || kind == Kind.REQUEST_RENEWING
                    || kind == Kind.RELEASE
                    || kind == Kind.DECLINE;
            assertThat(ServiceRules.answers(
                            FailoverState.SHUTDOWN,
                            FailoverState.PARTNER_DOWN,
                            true,
                            true,
                            true,
                            HALF,
                            kind,
                            PRIMARY_BUCKET,
                            0,
                            3))
                    .as("%s", kind)
                    .isEqualTo(inFlight);
        }
        assertThat(ServiceRules.pool(FailoverState.SHUTDOWN, FailoverState.PARTNER_DOWN, true, since, mclt, since))
                .isEqualTo(Pool.NONE);
        assertThat(ServiceRules.renews(FailoverState.SHUTDOWN, true)).isTrue();
        // drain over: SHUTDOWN answers nothing
        assertThat(ServiceRules.answers(
                        FailoverState.SHUTDOWN,
                        FailoverState.PARTNER_DOWN,
                        false,
                        true,
                        true,
                        HALF,
                        Kind.REQUEST_RENEWING,
                        PRIMARY_BUCKET,
                        0,
                        3))
                .isFalse();
        assertThat(ServiceRules.renews(FailoverState.SHUTDOWN, false)).isFalse();
    }
}

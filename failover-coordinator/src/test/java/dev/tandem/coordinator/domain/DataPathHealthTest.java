package dev.tandem.coordinator.domain;

import static dev.tandem.protocol.bus.ServiceHealth.GATEWAY;
import static dev.tandem.protocol.bus.ServiceHealth.LEASE_SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.bus.ServiceHealth;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DataPathHealthTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration TIMEOUT = Duration.ofMillis(1500);

    final DataPathHealth health =
            new DataPathHealth(TIMEOUT, Duration.ofMinutes(10), T0, Duration.ofSeconds(10), Duration.ZERO);

    void beat(String service, String instance, String reason, Instant at) {
        health.heard(ServiceHealth.of("dhcp-a", service, instance, reason, at), at);
    }

    @Test
    void upWithAReadyLeaseServiceAndEveryGatewayReady() {
        beat(LEASE_SERVICE, "ls-1", null, T0);
        beat(GATEWAY, "host/198.18.0.1", null, T0);
        beat(GATEWAY, "host/0.0.0.0", null, T0);
        assertThat(health.verdict(T0.plusSeconds(1)).up()).isTrue();
        assertThat(health.verdict(T0.plusSeconds(1)).reason()).isNull();
    }

    @Test
    void aSilentLeaseServiceTakesThePathDownOnceTheTimeoutHasPassed() {
        Instant t = T0.plusSeconds(20); // after the startup grace
        beat(LEASE_SERVICE, "ls-1", null, t);
        beat(GATEWAY, "gw", null, t.plusSeconds(2));
        assertThat(health.verdict(t.plus(TIMEOUT)).up()).isTrue();
        DataPathHealth.Verdict v = health.verdict(t.plusSeconds(2));
        assertThat(v.up()).isFalse();
        assertThat(v.reason()).isEqualTo("lease-service ls-1 silent for 2000 ms");
    }

    /**
     * A coordinator stopped (SIGSTOP, a long pause) heard no heartbeat meanwhile: its own silence is not the services'.
     * For one timeout after it is back, an instance fresh when it left is not silent (the backlog of heartbeats is
     * read); then silence counts again.
     */
    @Test
    void aJudgeThatWasAwayDoesNotHoldItsOwnSilenceAgainstTheServices() {
        Instant t = T0.plusSeconds(20);
        beat(LEASE_SERVICE, "ls-1", null, t);
        beat(GATEWAY, "gw", null, t);
        Instant back = t.plusSeconds(20);
        health.judgeWasAway(t.plusMillis(250), back);
        assertThat(health.verdict(back).up()).as("back after 20 s away").isTrue();
        beat(LEASE_SERVICE, "ls-1", "database: connection refused", back.plusMillis(100));
        assertThat(health.verdict(back.plusMillis(200)).up())
                .as("a not ready heard still counts")
                .isFalse();
        beat(LEASE_SERVICE, "ls-1", null, back.plusMillis(300));
        assertThat(health.verdict(back.plus(TIMEOUT).plusMillis(1)).reason())
                .as("silence counts again one timeout later")
                .isEqualTo("packet-gateway gw silent for 21501 ms");
    }

    /**
     * Absences of the judge one after another (an event loop blocked half the time) do not keep alive an instance that
     * was already silent when the judge left: fate-sharing still hands over.
     */
    @Test
    void repeatedAbsencesOfTheJudgeDoNotHideADeadInstance() {
        Instant t = T0.plusSeconds(20);
        beat(LEASE_SERVICE, "ls-1", null, t); // dies right after
        Instant check = t;
        for (int i = 0; i < 5; i++) {
            beat(GATEWAY, "gw", null, check);
            Instant back = check.plusMillis(1600);
            health.judgeWasAway(check, back);
            DataPathHealth.Verdict v = health.verdict(back);
            if (i == 0) {
                assertThat(v.up()).as("fresh when the judge first left").isTrue();
            } else {
                assertThat(v.up()).as("absence %d", i).isFalse();
                assertThat(v.reason()).startsWith("lease-service ls-1 silent");
            }
            check = back;
        }
    }

    @Test
    void duringTheStartupGraceSilenceDoesNotCountButNotReadyDoes() {
        beat(LEASE_SERVICE, "ls-1", null, T0);
        beat(GATEWAY, "gw", null, T0);
        assertThat(health.verdict(T0.plusSeconds(5)).up())
                .as("silent 5 s, but starting")
                .isTrue();
        assertThat(health.verdict(T0.plusSeconds(11)).up())
                .as("silent 11 s, the grace over")
                .isFalse();
        beat(GATEWAY, "gw", "DHCP socket not bound", T0.plusSeconds(1));
        assertThat(health.verdict(T0.plusSeconds(1)).up()).isFalse();
    }

    @Test
    void oneReadyLeaseServiceIsEnoughButEveryGatewayCounts() {
        beat(LEASE_SERVICE, "ls-1", "database: connection refused", T0);
        beat(LEASE_SERVICE, "ls-2", null, T0);
        beat(GATEWAY, "gw-1", null, T0);
        beat(GATEWAY, "gw-2", "no configuration received yet", T0);
        DataPathHealth.Verdict v = health.verdict(T0);
        assertThat(v.up()).isFalse();
        assertThat(v.reason()).isEqualTo("packet-gateway gw-2: no configuration received yet");
        beat(GATEWAY, "gw-2", null, T0.plusMillis(500));
        assertThat(health.verdict(T0.plusMillis(500)).up()).isTrue();
        beat(LEASE_SERVICE, "ls-2", "committing failed: connection closed", T0.plusSeconds(1));
        assertThat(health.verdict(T0.plusSeconds(1)).reason())
                .isEqualTo("lease-service ls-1: database: connection refused; "
                        + "lease-service ls-2: committing failed: connection closed");
    }

    @Test
    void aLeaseServiceThatCannotCommitTakesThePathDownAtOnce() {
        beat(GATEWAY, "gw", null, T0);
        beat(LEASE_SERVICE, "ls-1", "database: connection refused", T0);
        assertThat(health.verdict(T0).up()).isFalse();
    }

    @Test
    void nothingHeardCountsOnlyAfterTheStartupGrace() {
        assertThat(health.verdict(T0.plusSeconds(9)).up()).isTrue();
        DataPathHealth.Verdict v = health.verdict(T0.plusSeconds(10));
        assertThat(v.up()).isFalse();
        assertThat(v.reason()).isEqualTo("no lease-service heard; no packet-gateway heard");
        // What was heard counts at once, grace or not.
        beat(LEASE_SERVICE, "ls-1", "no configuration received yet", T0.plusSeconds(1));
        assertThat(health.verdict(T0.plusSeconds(1)).up()).isFalse();
    }

    @Test
    void aGatewaySilentLongerThanForgetAfterIsTakenToBeDecommissioned() {
        beat(LEASE_SERVICE, "ls-1", null, T0);
        beat(GATEWAY, "gw-1", null, T0);
        beat(GATEWAY, "gw-old", null, T0.plusSeconds(20).minus(Duration.ofMinutes(10)));
        beat(LEASE_SERVICE, "ls-1", null, T0.plusSeconds(20));
        beat(GATEWAY, "gw-1", null, T0.plusSeconds(20));
        assertThat(health.verdict(T0.plusSeconds(20)).reason()).startsWith("packet-gateway gw-old silent for");
        beat(LEASE_SERVICE, "ls-1", null, T0.plusSeconds(61));
        beat(GATEWAY, "gw-1", null, T0.plusSeconds(61));
        assertThat(health.verdict(T0.plusSeconds(61)).up()).isTrue();
    }

    @Test
    void heartbeatsOfOtherServicesAreIgnored() {
        beat(LEASE_SERVICE, "ls-1", null, T0);
        beat(GATEWAY, "gw", null, T0);
        beat("admin-api", "a", "down", T0);
        assertThat(health.verdict(T0).up()).isTrue();
    }

    /** As configured by default: back only after 2 s up. */
    static DataPathHealth steady() {
        return new DataPathHealth(TIMEOUT, Duration.ofMinutes(10), T0, Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    @Test
    void thePathGoesDownAtOnceButComesBackOnlyAfterStayingUpForStableFor() {
        DataPathHealth steady = steady();
        Instant t = T0.plusSeconds(20);
        steady.heard(ServiceHealth.of("dhcp-a", GATEWAY, "gw", null, t), t);
        steady.heard(ServiceHealth.of("dhcp-a", LEASE_SERVICE, "ls-1", "database: timeout", t), t);
        assertThat(steady.verdict(t).up()).isFalse();

        Instant back = t.plusMillis(500);
        steady.heard(ServiceHealth.of("dhcp-a", GATEWAY, "gw", null, back), back);
        steady.heard(ServiceHealth.of("dhcp-a", LEASE_SERVICE, "ls-1", null, back), back);
        DataPathHealth.Verdict waiting = steady.verdict(back);
        assertThat(waiting.up()).isFalse();
        assertThat(waiting.reason())
                .isEqualTo("ready again for 0 ms of the 2000 ms it must be before the server serves again");
        steady.heard(ServiceHealth.of("dhcp-a", GATEWAY, "gw", null, back.plusSeconds(1)), back.plusSeconds(1));
        steady.heard(ServiceHealth.of("dhcp-a", LEASE_SERVICE, "ls-1", null, back.plusSeconds(1)), back.plusSeconds(1));
        assertThat(steady.verdict(back.plusSeconds(1)).up()).isFalse();

        // A relapse starts the wait over.
        Instant relapse = back.plusMillis(1500);
        steady.heard(ServiceHealth.of("dhcp-a", LEASE_SERVICE, "ls-1", "database: timeout", relapse), relapse);
        assertThat(steady.verdict(relapse).up()).isFalse();
        Instant again = relapse.plusMillis(250);
        steady.heard(ServiceHealth.of("dhcp-a", GATEWAY, "gw", null, again), again);
        steady.heard(ServiceHealth.of("dhcp-a", LEASE_SERVICE, "ls-1", null, again), again);
        assertThat(steady.verdict(again).up()).isFalse();
        Instant later = again.plusSeconds(1);
        steady.heard(ServiceHealth.of("dhcp-a", GATEWAY, "gw", null, later), later);
        steady.heard(ServiceHealth.of("dhcp-a", LEASE_SERVICE, "ls-1", null, later), later);
        assertThat(steady.verdict(again.plusMillis(1999)).up()).isFalse();
        assertThat(steady.verdict(again.plusSeconds(2)).up()).isTrue();
    }

    @Test
    void heartbeatsReadLateAllAtOnceDoNotBringAnInstanceThatDiedBack() {
        DataPathHealth steady = steady();
        Instant t = T0.plusSeconds(20);
        steady.heard(ServiceHealth.of("dhcp-a", GATEWAY, "gw", null, t), t);
        steady.heard(ServiceHealth.of("dhcp-a", LEASE_SERVICE, "ls-1", null, t), t);
        assertThat(steady.verdict(t).up()).isTrue();
        Instant stalled = t.plusSeconds(5); // nothing read for 5 s: down
        assertThat(steady.verdict(stalled).up()).isFalse();
        // The backlog arrives: the lease-service's last heartbeats, sent before it died, and the gateway's.
        for (int i = 0; i < 10; i++) {
            Instant sent = t.plusMillis(500L * i);
            steady.heard(ServiceHealth.of("dhcp-a", LEASE_SERVICE, "ls-1", null, sent), stalled);
            steady.heard(ServiceHealth.of("dhcp-a", GATEWAY, "gw", null, sent), stalled);
        }
        for (int ms = 0; ms <= 4000; ms += 250) {
            Instant now = stalled.plusMillis(ms);
            steady.heard(ServiceHealth.of("dhcp-a", GATEWAY, "gw", null, now), now);
            assertThat(steady.verdict(now).up())
                    .as("%d ms after the backlog", ms)
                    .isFalse();
        }
    }

    static ServiceHealth leaseService(String instance, Instant sent, Instant stateAt) {
        return ServiceHealth.of("dhcp-a", LEASE_SERVICE, instance, null, sent).withStateAt(stateAt);
    }

    /**
     * A lease-service that runs, commits and holds its lease-request partitions, but whose newest failover state is
     * more than the state lag (3 s) older than its heartbeat, while the coordinator has been publishing all along: its
     * state consumer lags, it will allocate nothing soon, so the server cannot serve. Fresh again, it serves again.
     */
    @Test
    void aLeaseServiceWhoseStateConsumerLagsCannotServe() {
        Instant publishing = T0.plusSeconds(1);
        Instant t = T0.plusSeconds(20);
        beat(GATEWAY, "gw", null, t);
        health.heard(leaseService("ls-1", t, t.minusMillis(3000)), t);
        assertThat(health.verdict(t, publishing).up())
                .as("3 s old: at the limit")
                .isTrue();
        health.heard(leaseService("ls-1", t.plusMillis(500), t.minusMillis(3000)), t.plusMillis(500));
        DataPathHealth.Verdict v = health.verdict(t.plusMillis(500), publishing);
        assertThat(v.up()).isFalse();
        assertThat(v.reason())
                .isEqualTo("lease-service ls-1: its newest failover state was published 3500 ms before its heartbeat"
                        + " (its state consumer lags)");
        assertThat(health.verdict(t.plusMillis(500)).up())
                .as("a coordinator that publishes nothing does not judge it")
                .isTrue();
        health.heard(leaseService("ls-1", t.plusSeconds(1), t.plusMillis(900)), t.plusSeconds(1));
        assertThat(health.verdict(t.plusSeconds(1), publishing).up()).isTrue();
    }

    @Test
    void aLeaseServiceHoldingNoStateIsLaggingOnceTheCoordinatorHasPublishedLongEnough() {
        Instant publishing = T0.plusSeconds(15);
        Instant t = T0.plusSeconds(18);
        beat(GATEWAY, "gw", null, t);
        health.heard(leaseService("ls-1", t, null), t);
        assertThat(health.verdict(t, publishing).up())
                .as("sent only 3 s after publishing began: a state may still be on its way")
                .isTrue();
        Instant later = t.plusMillis(100);
        beat(GATEWAY, "gw", null, later);
        health.heard(leaseService("ls-1", later, null), later);
        DataPathHealth.Verdict v = health.verdict(later, publishing);
        assertThat(v.up()).isFalse();
        assertThat(v.reason())
                .isEqualTo("lease-service ls-1: holds no failover state (its state consumer reads nothing)");
    }

    @Test
    void theStateLagIsNotJudgedDuringTheStartupGraceNorForHeartbeatsThatDoNotReportIt() {
        beat(GATEWAY, "gw", null, T0.plusSeconds(5));
        health.heard(leaseService("ls-1", T0.plusSeconds(5), null), T0.plusSeconds(5));
        assertThat(health.verdict(T0.plusSeconds(5), T0).up())
                .as("in the startup grace")
                .isTrue();

        Instant t = T0.plusSeconds(20);
        beat(GATEWAY, "gw", null, t);
        health.heard(new ServiceHealth(1, "dhcp-a", LEASE_SERVICE, "ls-1", true, null, t, null), t);
        assertThat(health.verdict(t, T0).up())
                .as("a version 1 heartbeat says nothing of its state")
                .isTrue();
    }

    /** One lease-service that lags does not stop the server while another, fresh, takes the requests. */
    @Test
    void anotherLeaseServiceWithAFreshStateKeepsTheServerServing() {
        Instant t = T0.plusSeconds(20);
        beat(GATEWAY, "gw", null, t);
        health.heard(leaseService("ls-1", t, t.minusSeconds(10)), t);
        health.heard(leaseService("ls-2", t, t.minusMillis(400)), t);
        assertThat(health.verdict(t, T0).up()).isTrue();
    }

    /**
     * A lease-service whose clock runs ahead: its state looks old by its own clock alone; heard here at once, it is
     * fresh. Not a lag (the judgement needs both clocks to agree).
     */
    @Test
    void aLeaseServiceWhoseClockRunsAheadIsNotLagging() {
        Instant t = T0.plusSeconds(20);
        beat(GATEWAY, "gw", null, t);
        health.heard(leaseService("ls-1", t.plusMillis(2500), t.minusMillis(800)), t);
        assertThat(health.verdict(t, T0).up()).isTrue();
    }

    /**
     * Heartbeats read late all at once after this judge was away (a stall of a few seconds, its publishing stopped
     * too) carry states that were old by then: not a lag until a state lag after it came back, when fresh ones have
     * come.
     */
    @Test
    void aJudgeBackFromAnAbsenceDoesNotTakeTheBacklogForALag() {
        Instant t = T0.plusSeconds(20);
        beat(GATEWAY, "gw", null, t);
        health.heard(leaseService("ls-1", t, t.minusMillis(500)), t);
        Instant back = t.plusSeconds(4);
        health.judgeWasAway(t, back);
        beat(GATEWAY, "gw", null, back);
        health.heard(leaseService("ls-1", back.minusMillis(100), t.minusMillis(500)), back);
        assertThat(health.verdict(back, T0).up()).as("the backlog").isTrue();
        Instant later = back.plusSeconds(4);
        beat(GATEWAY, "gw", null, later);
        health.heard(leaseService("ls-1", later, t.minusMillis(500)), later);
        assertThat(health.verdict(later, T0).up())
                .as("still old a state lag after coming back: a lag")
                .isFalse();
    }
}

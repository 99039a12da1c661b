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

    final DataPathHealth health = new DataPathHealth(TIMEOUT, Duration.ofMinutes(10), T0, Duration.ofSeconds(10));

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
}

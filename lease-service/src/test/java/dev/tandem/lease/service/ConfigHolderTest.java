package dev.tandem.lease.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.lease.domain.Departed;
import dev.tandem.lease.domain.Guard;
import dev.tandem.protocol.config.ServerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigHolderTest {

    static final String SCOPE = "10.0.0.0/24";
    static final Instant LEFT = Instant.parse("2026-12-06T12:00:00Z");
    static final Duration MCLT = Duration.ofMinutes(5);
    static final Duration LEASE = Duration.ofHours(1);

    static ServerSettings revision(long revision) {
        return new ServerSettings(
                "dhcp-a", revision, null, Duration.ofSeconds(30), Duration.ofMinutes(10), List.of(), List.of());
    }

    @Test
    void aScopeThatLeftItsRelationshipIsServedAsPartnerDownForItsMcltAndLeaseTimeAfter() {
        ConfigHolder holder = new ConfigHolder();
        assertThat(holder.standaloneGuard(SCOPE, LEFT)).isEqualTo(Guard.STANDALONE);
        holder.set(revision(1), Map.of(SCOPE, new Departed(true, LEFT, MCLT, LEASE)));

        Guard first = holder.standaloneGuard(SCOPE, LEFT.plus(MCLT).minusMillis(1));
        assertThat(first.backupPool())
                .as("its own free addresses (a secondary's)")
                .isTrue();
        assertThat(first.onlyFree()).isTrue();
        assertThat(first.track()).isFalse();
        assertThat(first.awaitAck()).isTrue();

        Instant later = LEFT.plus(MCLT).plusSeconds(60);
        Guard then = holder.standaloneGuard(SCOPE, later);
        assertThat(then.backupPool()).isNull();
        assertThat(then.onlyFree()).isFalse();
        assertThat(then.reuseBefore()).isEqualTo(later.minus(MCLT));
        assertThat(then.awaitAck()).isTrue();

        assertThat(holder.standaloneGuard(SCOPE, LEFT.plus(MCLT).plus(LEASE))).isEqualTo(Guard.STANDALONE);
        assertThat(holder.standaloneGuard("10.1.0.0/24", LEFT)).isEqualTo(Guard.STANDALONE);
    }

    @Test
    void aRevisionAppliedAfterALaterOneDoesNotReplaceIt() {
        ConfigHolder holder = new ConfigHolder();
        holder.set(revision(3), Map.of());
        holder.set(revision(2), Map.of(SCOPE, new Departed(false, LEFT, MCLT, LEASE)));
        assertThat(holder.current().orElseThrow().revision()).isEqualTo(3);
        assertThat(holder.standaloneGuard(SCOPE, LEFT)).isEqualTo(Guard.STANDALONE);
        holder.set(revision(3), Map.of(SCOPE, new Departed(false, LEFT, MCLT, LEASE)));
        assertThat(holder.standaloneGuard(SCOPE, LEFT).backupPool())
                .as("the same revision again")
                .isFalse();
    }
}

package dev.tandem.lease.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.lease.repository.LeaseRepository.Departed;
import dev.tandem.lease.repository.LeaseRepository.Guard;
import dev.tandem.protocol.config.ServerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigHolderTest {

    static final Instant LEFT_UNTIL = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void aScopeThatLeftItsRelationshipAllocatesAsPartnerDownUntilItsMcltHasPassed() {
        ConfigHolder holder = new ConfigHolder();
        assertThat(holder.standaloneGuard("10.0.0.0/24", LEFT_UNTIL)).isEqualTo(Guard.STANDALONE);
        holder.set(
                new ServerSettings(
                        "dhcp-a", 1, null, Duration.ofSeconds(30), Duration.ofMinutes(10), List.of(), List.of()),
                Map.of("10.0.0.0/24", new Departed(true, LEFT_UNTIL)));

        Guard within = holder.standaloneGuard("10.0.0.0/24", LEFT_UNTIL.minusMillis(1));
        assertThat(within.backupPool()).isTrue();
        assertThat(within.onlyFree()).isTrue();
        assertThat(within.track()).isFalse();
        assertThat(holder.standaloneGuard("10.0.0.0/24", LEFT_UNTIL)).isEqualTo(Guard.STANDALONE);
        assertThat(holder.standaloneGuard("10.1.0.0/24", LEFT_UNTIL.minusMillis(1)))
                .isEqualTo(Guard.STANDALONE);
    }
}

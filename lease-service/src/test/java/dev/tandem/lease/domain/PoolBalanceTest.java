package dev.tandem.lease.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolBalanceTest {

    @ParameterizedTest(name = "primary={0} free={1} backup={2} secondary {3}% tolerance {4}% -> gives {5}")
    @CsvSource({
        // load balance 50/50: the primary's clients used its pool up; the secondary gives half the difference back
        "false, 10, 90, 50, 15, 40",
        "true,  10, 90, 50, 15, 0",
        // the secondary's clients used its pool: the primary gives
        "true,  90, 10, 50, 15, 40",
        "false, 90, 10, 50, 15, 0",
        // balanced, or within the tolerance (15 % of 100 = 15): nothing moves
        "true,  50, 50, 50, 15, 0",
        "true,  64, 36, 50, 15, 0",
        "true,  65, 35, 50, 15, 15",
        // load balance 80/20
        "true,  100, 0, 20, 10, 20",
        "false, 80, 20, 20, 10, 0",
        // hot-standby, 5 % reserve: the active used its FREE addresses, the standby's reserve is now too large
        "false, 50, 50, 5, 15, 45",
        "true,  50, 50, 5, 15, 0",
        // the standby used its reserve during an outage: the active refills it
        "true,  100, 0, 5, 15, 0",
        "true,  1000, 0, 5, 1, 50",
        // a server that owns nothing gives nothing; an empty pool neither
        "false, 10, 0, 50, 15, 0",
        "true,  0, 0, 50, 15, 0",
        // tiny pools: the tolerance is at least one address
        "true,  3, 1, 50, 15, 1",
        "true,  2, 1, 50, 15, 1",
        // all to one side
        "true,  10, 0, 100, 15, 10",
        "false, 0, 10, 0, 15, 10",
    })
    void givesOnlyItsOwnSurplusBeyondTheTolerance(
            boolean primary, long free, long backup, int secondaryPercent, int tolerance, long expected) {
        assertThat(PoolBalance.toGive(primary, free, backup, secondaryPercent, tolerance))
                .isEqualTo(expected);
    }

    @Property
    void neverGivesMoreThanItOwnsAndNeverBothAtOnce(
            @ForAll @LongRange(max = 100_000) long free,
            @ForAll @LongRange(max = 100_000) long backup,
            @ForAll @IntRange(max = 100) int secondaryPercent,
            @ForAll @IntRange(max = 50) int tolerance) {
        long primaryGives = PoolBalance.toGive(true, free, backup, secondaryPercent, tolerance);
        long secondaryGives = PoolBalance.toGive(false, free, backup, secondaryPercent, tolerance);
        assertThat(primaryGives).isBetween(0L, free);
        assertThat(secondaryGives).isBetween(0L, backup);
        assertThat(primaryGives == 0 || secondaryGives == 0).isTrue();
        // after the move the giver holds exactly its share, so a second pass moves nothing
        assertThat(PoolBalance.toGive(true, free - primaryGives, backup + primaryGives, secondaryPercent, tolerance))
                .isZero();
        assertThat(PoolBalance.toGive(
                        false, free + secondaryGives, backup - secondaryGives, secondaryPercent, tolerance))
                .isZero();
    }

    @ParameterizedTest
    @CsvSource({"-1, 0, 50, 15", "0, -1, 50, 15", "0, 0, 101, 15", "0, 0, -1, 15", "0, 0, 50, -1"})
    void refusesImpossibleInput(long free, long backup, int secondaryPercent, int tolerance) {
        assertThatThrownBy(() -> PoolBalance.toGive(true, free, backup, secondaryPercent, tolerance))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

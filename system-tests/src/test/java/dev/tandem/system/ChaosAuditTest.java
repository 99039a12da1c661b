package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chaos run's audit (bench/chaos.py) fails on what it must catch: its own tests, bench/test_chaos.py. */
class ChaosAuditTest {

    @Test
    void theChaosAuditCatchesDuplicatesLossesDisagreementsAndSilence() {
        String out = Stack.run(
                Duration.ofMinutes(1),
                Map.of(),
                List.of("python3", Stack.ROOT.resolve("bench/test_chaos.py").toString(), "-v"));
        assertThat(out).contains("OK").doesNotContain("FAIL");
    }
}

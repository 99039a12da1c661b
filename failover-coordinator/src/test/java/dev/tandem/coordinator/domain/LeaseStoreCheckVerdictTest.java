package dev.tandem.coordinator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.coordinator.domain.LeaseStoreCheck.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** §9.3.2 as a table: the database a state was kept with, what the lease-service names, and the verdict. */
class LeaseStoreCheckVerdictTest {

    /** kept ('' none), kept sequence, checked, answer, named, named sequence, verdict. */
    @ParameterizedTest(name = "kept {0}@{1}, checked {2}, answer {3}, named {4}@{5}: {6}")
    @CsvSource({
        // an announcement before the answer: the answer decides
        "db-1, 10, false, false, db-1, 3, WAIT",
        "'', 0, false, false, db-1, 3, WAIT",
        // the answer at startup, compared in full
        "db-1, 10, false, true, db-1, 10, SAME",
        "db-1, 10, false, true, db-1, 12, SAME",
        "db-1, 10, false, true, db-1, 9, LOST",
        "db-1, 10, false, true, db-2, 50, LOST",
        "'', 0, false, true, db-1, 0, SAME",
        // an announcement of another database is judged at once
        "db-1, 10, false, false, db-2, 50, LOST",
        // checked already: the number is no longer compared, another database still is
        "db-1, 10, true, false, db-1, 2, SAME",
        "db-1, 10, true, true, db-1, 2, SAME",
        "db-1, 10, true, false, db-2, 2, LOST"
    })
    void verdicts(
            String kept, long keptSequence, boolean checked, boolean answer, String named, long sequence, Verdict v) {
        LeaseStoreCheck check =
                LeaseStoreCheck.of(kept.isEmpty() ? null : kept, keptSequence, checked, answer, named, sequence);
        assertThat(check.verdict()).isEqualTo(v);
        assertThat(check.why() != null).as("a reason only for LOST").isEqualTo(v == Verdict.LOST);
    }

    @Test
    void theReasonSaysWhichDatabaseOrWhichNumbers() {
        assertThat(LeaseStoreCheck.of("db-1", 10, false, true, "db-1", 9).why())
                .isEqualTo("lease database db-1 is an older copy (its latest binding update is 9, this state saw 10)");
        assertThat(LeaseStoreCheck.of("db-1", 10, false, true, "db-2", 9).why())
                .isEqualTo("the lease database is db-2, not db-1 that this state was recorded with");
    }
}

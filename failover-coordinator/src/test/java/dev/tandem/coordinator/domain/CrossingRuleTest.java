package dev.tandem.coordinator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.failover.BindingStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every pair of crossing statuses, for either role: who stands, and what ISC takes. */
class CrossingRuleTest {

    /** theirs, ours, stands at the primary, stands at the secondary. */
    @ParameterizedTest(name = "theirs {0}, ours {1}: primary {2}, secondary {3}")
    @CsvSource({
        // two owner updates: the primary's stands
        "FREE, BACKUP, true, false",
        "BACKUP, FREE, true, false",
        // the same view: nothing to settle
        "FREE, FREE, false, false",
        "BACKUP, BACKUP, false, false",
        // ours ends a binding: it stands against an owner update on either side
        "FREE, EXPIRED, true, true",
        "BACKUP, EXPIRED, true, true",
        "FREE, RELEASED, true, true",
        "BACKUP, RELEASED, true, true",
        // ours binds or abandons: the matrix decides theirs, not the crossing
        "FREE, ACTIVE, false, false",
        "BACKUP, ACTIVE, false, false",
        "FREE, ABANDONED, false, false",
        "BACKUP, RESET, false, false",
        // theirs is not an owner update: never refused for a crossing
        "ACTIVE, FREE, false, false",
        "ACTIVE, EXPIRED, false, false",
        "EXPIRED, BACKUP, false, false",
        "RELEASED, FREE, false, false",
        "ABANDONED, FREE, false, false",
        "RESET, BACKUP, false, false"
    })
    void betweenTandemServers(BindingStatus theirs, String ours, boolean atPrimary, boolean atSecondary) {
        assertThat(CrossingRule.oursStands(true, theirs, ours))
                .as("at the primary")
                .isEqualTo(atPrimary);
        assertThat(CrossingRule.oursStands(false, theirs, ours))
                .as("at the secondary")
                .isEqualTo(atSecondary);
    }

    /** theirs, ours, ISC (its partner being the primary) takes ours; as secondary ISC never does. */
    @ParameterizedTest(name = "theirs {0}, ours {1}: ISC takes ours from a primary {2}")
    @CsvSource({
        "FREE, BACKUP, true",
        "BACKUP, FREE, true",
        "EXPIRED, FREE, true",
        "RELEASED, BACKUP, true",
        "FREE, EXPIRED, true",
        "FREE, FREE, false",
        "ACTIVE, FREE, false",
        "FREE, ACTIVE, false",
        "ACTIVE, ACTIVE, false"
    })
    void iscsRuleForUpdatesThatAreNotActive(BindingStatus theirs, String ours, boolean fromPrimary) {
        assertThat(CrossingRule.iscTakesOurs(true, theirs, ours)).isEqualTo(fromPrimary);
        assertThat(CrossingRule.iscTakesOurs(false, theirs, ours)).isFalse();
    }
}

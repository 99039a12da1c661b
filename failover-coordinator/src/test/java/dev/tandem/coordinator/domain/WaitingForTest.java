package dev.tandem.coordinator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.failover.FailoverState;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class WaitingForTest {

    /** state, primary, connected, communicating, partner, asked, update done → what it waits for (blank: nothing). */
    @ParameterizedTest
    @CsvSource({
        "RECOVER, true, false, false, UNKNOWN, false, false, CONNECTION",
        "RECOVER, false, true, false, RECOVER, false, false, PARTNER_STATE",
        "RECOVER, false, true, true, NORMAL, false, false, NOT_ASKED",
        "RECOVER, false, true, true, PARTNER_DOWN, true, false, UPDATE_DONE",
        "RECOVER, true, true, true, PARTNER_DOWN, true, true, APPLYING",
        "RECOVER_WAIT, true, false, false, UNKNOWN, false, false, MCLT",
        "RECOVER_WAIT, true, true, true, PARTNER_DOWN, false, false, MCLT",
        "RECOVER_DONE, true, false, false, PARTNER_DOWN, false, false, CONNECTION",
        "RECOVER_DONE, true, true, false, PARTNER_DOWN, false, false, PARTNER_STATE",
        "RECOVER_DONE, true, true, true, PARTNER_DOWN, false, false, PARTNER_MOVES",
        "RECOVER_DONE, true, true, true, RECOVER_WAIT, false, false, MCLT",
        "CONFLICT_DONE, true, true, true, POTENTIAL_CONFLICT, false, false, PARTNER_MOVES",
        "POTENTIAL_CONFLICT, true, true, true, POTENTIAL_CONFLICT, false, false, NOT_ASKED",
        "POTENTIAL_CONFLICT, true, true, true, POTENTIAL_CONFLICT, true, false, UPDATE_DONE",
        "POTENTIAL_CONFLICT, false, true, true, POTENTIAL_CONFLICT, false, false, PRIMARY_RESOLVES",
        "POTENTIAL_CONFLICT, false, true, true, CONFLICT_DONE, true, false, UPDATE_DONE",
        "POTENTIAL_CONFLICT, false, true, true, CONFLICT_DONE, false, false, NOT_ASKED",
        "POTENTIAL_CONFLICT, false, false, false, CONFLICT_DONE, false, false, CONNECTION",
    })
    void aStateThatServesNobodyNamesWhatItWaitsFor(
            FailoverState state,
            boolean primary,
            boolean connected,
            boolean communicating,
            FailoverState partner,
            boolean asked,
            boolean updateDone,
            WaitingFor expected) {
        assertThat(WaitingFor.of(state, primary, connected, communicating, partner, asked, updateDone))
                .contains(expected);
    }

    /** The states that serve, or that end by the operator, the data path or the safe period, wait for nothing. */
    @ParameterizedTest
    @EnumSource(
            value = FailoverState.class,
            names = {"RECOVER", "RECOVER_WAIT", "RECOVER_DONE", "POTENTIAL_CONFLICT", "CONFLICT_DONE"},
            mode = EnumSource.Mode.EXCLUDE)
    void otherStatesWaitForNothing(FailoverState state) {
        for (boolean b : new boolean[] {true, false}) {
            assertThat(WaitingFor.of(state, b, b, b, FailoverState.NORMAL, b, b))
                    .isEqualTo(Optional.empty());
        }
    }

    /** Only what this server can act on is acted on: an unanswered or never-sent request. */
    @Test
    void remediesActOnlyWhereThisServerCanHelp() {
        assertThat(withRemedy(WaitingFor.Remedy.ASK_AGAIN))
                .containsExactlyInAnyOrder(WaitingFor.NOT_ASKED, WaitingFor.UPDATE_DONE);
        assertThat(withRemedy(WaitingFor.Remedy.NONE))
                .hasSize(WaitingFor.values().length - 2)
                .doesNotContain(WaitingFor.NOT_ASKED, WaitingFor.UPDATE_DONE);
        assertThat(WaitingFor.UPDATE_DONE.label()).isEqualTo("update-done");
    }

    static java.util.List<WaitingFor> withRemedy(WaitingFor.Remedy remedy) {
        return java.util.Arrays.stream(WaitingFor.values())
                .filter(w -> w.remedy() == remedy)
                .toList();
    }
}

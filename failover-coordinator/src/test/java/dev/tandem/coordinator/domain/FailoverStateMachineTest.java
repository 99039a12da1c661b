package dev.tandem.coordinator.domain;

import static dev.tandem.protocol.failover.FailoverState.COMMUNICATIONS_INTERRUPTED;
import static dev.tandem.protocol.failover.FailoverState.CONFLICT_DONE;
import static dev.tandem.protocol.failover.FailoverState.NORMAL;
import static dev.tandem.protocol.failover.FailoverState.PARTNER_DOWN;
import static dev.tandem.protocol.failover.FailoverState.PAUSED;
import static dev.tandem.protocol.failover.FailoverState.POTENTIAL_CONFLICT;
import static dev.tandem.protocol.failover.FailoverState.RECOVER;
import static dev.tandem.protocol.failover.FailoverState.RECOVER_DONE;
import static dev.tandem.protocol.failover.FailoverState.RECOVER_WAIT;
import static dev.tandem.protocol.failover.FailoverState.RESOLUTION_INTERRUPTED;
import static dev.tandem.protocol.failover.FailoverState.SHUTDOWN;
import static dev.tandem.protocol.failover.FailoverState.STARTUP;
import static dev.tandem.protocol.failover.FailoverState.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.failover.FailoverState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every own state against every partner state and every event, checked against a table written from the draft. */
class FailoverStateMachineTest {

    /** Column order of the table below: the partner's state. */
    static final List<FailoverState> PARTNER = List.of(
            UNKNOWN,
            STARTUP,
            NORMAL,
            COMMUNICATIONS_INTERRUPTED,
            PARTNER_DOWN,
            POTENTIAL_CONFLICT,
            RECOVER,
            PAUSED,
            SHUTDOWN,
            RECOVER_DONE,
            RESOLUTION_INTERRUPTED,
            CONFLICT_DONE,
            RECOVER_WAIT);

    /**
     * Own state (row) × partner state (column) → next state; "." stays. Abbreviations: NO normal, CI
     * communications-interrupted, PD partner-down, PC potential-conflict, RE recover, RD recover-done, CD
     * conflict-done, RW recover-wait, RI resolution-interrupted, SH shutdown, PA paused, ST startup, UN unknown.
     */
    static final String TABLE =
            """
            own  UN ST NO CI PD PC RE PA SH RD RI CD RW
            UN   .  .  .  .  .  .  .  .  .  .  .  .  .
            ST   .  .  .  .  .  .  .  .  .  .  .  .  .
            NO   .  .  .  .  PC PC PD CI PD .  PC PC .
            CI   .  .  NO NO PC PC PD .  PD NO PC PC .
            PD   .  .  PC PC PC PC .  .  .  NO PC PC .
            PC   .  .  .  .  .  .  RE .  PD .  .  .  .
            RE   .  .  .  .  .  PC .  .  .  .  PC PC .
            PA   .  .  .  .  .  .  .  .  .  .  .  .  .
            SH   .  .  .  .  .  .  .  .  .  .  .  .  .
            RD   .  .  NO .  .  .  .  .  PD NO .  .  .
            RI   PC PC PC PC PC PC PC PC PD PC PC PC PC
            CD   .  .  NO .  .  .  .  .  .  .  .  .  .
            RW   .  .  .  .  .  .  .  .  .  .  .  .  .
            """;

    static final Map<String, FailoverState> ABBREVIATIONS = Map.ofEntries(
            Map.entry("UN", UNKNOWN),
            Map.entry("ST", STARTUP),
            Map.entry("NO", NORMAL),
            Map.entry("CI", COMMUNICATIONS_INTERRUPTED),
            Map.entry("PD", PARTNER_DOWN),
            Map.entry("PC", POTENTIAL_CONFLICT),
            Map.entry("RE", RECOVER),
            Map.entry("PA", PAUSED),
            Map.entry("SH", SHUTDOWN),
            Map.entry("RD", RECOVER_DONE),
            Map.entry("RI", RESOLUTION_INTERRUPTED),
            Map.entry("CD", CONFLICT_DONE),
            Map.entry("RW", RECOVER_WAIT));

    static Map<FailoverState, String[]> table() {
        Map<FailoverState, String[]> rows = new HashMap<>();
        TABLE.lines().skip(1).forEach(line -> {
            String[] cells = line.trim().split("\\s+");
            rows.put(ABBREVIATIONS.get(cells[0].toUpperCase()), java.util.Arrays.copyOfRange(cells, 1, cells.length));
        });
        return rows;
    }

    @Test
    void tableCoversEveryStatePair() {
        Map<FailoverState, String[]> rows = table();
        assertThat(rows.keySet()).containsExactlyInAnyOrder(FailoverState.values());
        assertThat(PARTNER).containsExactlyInAnyOrder(FailoverState.values());
        for (FailoverState own : FailoverState.values()) {
            String[] row = rows.get(own);
            assertThat(row).hasSize(PARTNER.size());
            for (int i = 0; i < row.length; i++) {
                FailoverState partner = PARTNER.get(i);
                var next = FailoverStateMachine.onPartnerState(own, partner);
                if (row[i].equals(".")) {
                    assertThat(next).as("%s sees partner %s", own, partner).isEmpty();
                } else {
                    assertThat(next).as("%s sees partner %s", own, partner).contains(ABBREVIATIONS.get(row[i]));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FailoverState.class)
    void communicationsFailure(FailoverState own) {
        FailoverState expected =
                switch (own) {
                    case NORMAL, CONFLICT_DONE -> COMMUNICATIONS_INTERRUPTED;
                    case POTENTIAL_CONFLICT -> RESOLUTION_INTERRUPTED;
                    default -> own;
                };
        assertThat(FailoverStateMachine.onCommunicationsFailed(own).orElse(own)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(FailoverState.class)
    void operatorCommandsAndTimers(FailoverState own) {
        boolean mayGoDown = own == NORMAL
                || own == COMMUNICATIONS_INTERRUPTED
                || own == RESOLUTION_INTERRUPTED
                || own == PARTNER_DOWN;
        assertThat(FailoverStateMachine.onPartnerDownCommand(own).isPresent()).isEqualTo(mayGoDown);
        assertThat(FailoverStateMachine.onSafePeriodExpired(own))
                .isEqualTo(
                        own == COMMUNICATIONS_INTERRUPTED
                                ? java.util.Optional.of(PARTNER_DOWN)
                                : java.util.Optional.empty());
        assertThat(FailoverStateMachine.onRecoverWaitExpired(own))
                .isEqualTo(own == RECOVER_WAIT ? java.util.Optional.of(RECOVER_DONE) : java.util.Optional.empty());
        assertThat(FailoverStateMachine.onMaintenanceStart(own))
                .isEqualTo(own == NORMAL ? java.util.Optional.of(SHUTDOWN) : java.util.Optional.empty());
        assertThat(FailoverStateMachine.onMaintenanceEnd(own))
                .isEqualTo(own == SHUTDOWN ? java.util.Optional.of(RECOVER) : java.util.Optional.empty());
    }

    @Test
    void updateDoneEndsRecoveryAfterMcltUnlessBothAreNew() {
        Instant since = Instant.parse("2026-01-01T00:00:00Z");
        Duration mclt = Duration.ofSeconds(60);
        assertThat(FailoverStateMachine.onUpdateDone(RECOVER, true, PARTNER_DOWN, since, mclt, since.plusSeconds(10)))
                .contains(RECOVER_WAIT);
        assertThat(FailoverStateMachine.onUpdateDone(RECOVER, true, PARTNER_DOWN, since, mclt, since.plusSeconds(60)))
                .contains(RECOVER_DONE);
        assertThat(FailoverStateMachine.onUpdateDone(RECOVER, false, RECOVER, since, mclt, since.plusSeconds(1)))
                .contains(RECOVER_DONE);
        assertThat(FailoverStateMachine.onUpdateDone(POTENTIAL_CONFLICT, true, POTENTIAL_CONFLICT, since, mclt, since))
                .contains(CONFLICT_DONE);
        assertThat(FailoverStateMachine.onUpdateDone(POTENTIAL_CONFLICT, false, CONFLICT_DONE, since, mclt, since))
                .contains(NORMAL);
        for (FailoverState other : FailoverState.values()) {
            if (other != RECOVER && other != POTENTIAL_CONFLICT) {
                assertThat(FailoverStateMachine.onUpdateDone(other, true, NORMAL, since, mclt, since))
                        .as("%s", other)
                        .isEmpty();
            }
        }
    }

    @Test
    void theSecondaryAsksForUpdatesOnceThePrimaryIsConflictDone() {
        assertThat(FailoverStateMachine.onPartnerStateActions(POTENTIAL_CONFLICT, false, CONFLICT_DONE))
                .containsExactly(FailoverStateMachine.Action.SEND_UPDREQ);
        assertThat(FailoverStateMachine.onPartnerStateActions(POTENTIAL_CONFLICT, true, CONFLICT_DONE))
                .isEmpty();
        assertThat(FailoverStateMachine.onPartnerStateActions(NORMAL, false, CONFLICT_DONE))
                .isEmpty();
    }

    @Test
    void startupResumesThePreviousStateThroughItsCommunicationsFailure() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        // Both were NORMAL: NORMAL -> COMMUNICATIONS-INTERRUPTED, then the partner's NORMAL brings us back.
        assertThat(FailoverStateMachine.startup(NORMAL, NORMAL, t, t)).isEqualTo(NORMAL);
        assertThat(FailoverStateMachine.startup(NORMAL, COMMUNICATIONS_INTERRUPTED, t, t))
                .isEqualTo(NORMAL);
        // A new server starts in RECOVER.
        assertThat(FailoverStateMachine.startup(null, NORMAL, t, t)).isEqualTo(RECOVER);
        assertThat(FailoverStateMachine.startup(null, RECOVER, t, t)).isEqualTo(RECOVER);
        // The partner went PARTNER-DOWN after we stopped: we recover from it; before: both served, a conflict.
        assertThat(FailoverStateMachine.startup(NORMAL, PARTNER_DOWN, t.plusSeconds(5), t))
                .isEqualTo(RECOVER);
        assertThat(FailoverStateMachine.startup(NORMAL, PARTNER_DOWN, t.minusSeconds(5), t))
                .isEqualTo(POTENTIAL_CONFLICT);
        assertThat(FailoverStateMachine.startup(PARTNER_DOWN, NORMAL, t, t)).isEqualTo(POTENTIAL_CONFLICT);
        assertThat(FailoverStateMachine.startup(PARTNER_DOWN, RECOVER, t, t)).isEqualTo(PARTNER_DOWN);
        assertThat(FailoverStateMachine.startup(POTENTIAL_CONFLICT, POTENTIAL_CONFLICT, t, t))
                .isEqualTo(POTENTIAL_CONFLICT);
    }

    @Test
    void startupWithoutContact() {
        assertThat(FailoverStateMachine.startupTimeout(NORMAL)).isEqualTo(COMMUNICATIONS_INTERRUPTED);
        assertThat(FailoverStateMachine.startupTimeout(PARTNER_DOWN)).isEqualTo(PARTNER_DOWN);
        assertThat(FailoverStateMachine.startupTimeout(null)).isEqualTo(RECOVER);
        assertThat(FailoverStateMachine.startupTimeout(POTENTIAL_CONFLICT)).isEqualTo(RESOLUTION_INTERRUPTED);
    }

    @ParameterizedTest
    @EnumSource(FailoverState.class)
    void aServerThatCannotServePausesOnlyWhereThePartnerCanTakeOver(FailoverState own) {
        boolean serving = own == NORMAL || own == COMMUNICATIONS_INTERRUPTED;
        assertThat(FailoverStateMachine.onDataPathLost(own, NORMAL))
                .isEqualTo(serving ? java.util.Optional.of(PAUSED) : java.util.Optional.empty());
        assertThat(FailoverStateMachine.onDataPathLost(own, CONFLICT_DONE))
                .as("a partner ending a conflict resolution waits for our NORMAL; PAUSED has no rule there")
                .isEmpty();
        // The partner's side of it: our PAUSED takes a NORMAL partner to COMMUNICATIONS-INTERRUPTED, where it serves
        // all.
        assertThat(FailoverStateMachine.onPartnerState(NORMAL, PAUSED)).contains(COMMUNICATIONS_INTERRUPTED);
        if (own != PAUSED) {
            assertThat(FailoverStateMachine.onDataPathBack(own, false, true, NORMAL, false))
                    .as("only PAUSED is left when the data path is back")
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(FailoverState.class)
    void aPausedServerComesBackAsAfterARestart(FailoverState partner) {
        // In contact: COMMUNICATIONS-INTERRUPTED first, then the partner's state decides.
        FailoverState expected =
                switch (partner) {
                    case NORMAL, COMMUNICATIONS_INTERRUPTED, RECOVER_DONE -> NORMAL;
                    case PARTNER_DOWN -> RECOVER;
                    case RECOVER, SHUTDOWN -> PARTNER_DOWN;
                    case POTENTIAL_CONFLICT, RESOLUTION_INTERRUPTED, CONFLICT_DONE -> POTENTIAL_CONFLICT;
                    default -> COMMUNICATIONS_INTERRUPTED;
                };
        for (boolean mayHaveTakenOver : new boolean[] {false, true}) {
            assertThat(FailoverStateMachine.onDataPathBack(PAUSED, false, true, partner, mayHaveTakenOver))
                    .as("partner %s", partner)
                    .contains(expected);
            // A partner seen taking over while we were paused is recovered from, whatever it reports now.
            assertThat(FailoverStateMachine.onDataPathBack(PAUSED, true, true, partner, mayHaveTakenOver))
                    .contains(RECOVER);
        }
        // Out of contact: COMMUNICATIONS-INTERRUPTED (the partner's state is not known), unless the pause outlasted
        // the partner's safe period: it may be PARTNER-DOWN, so wait for contact.
        assertThat(FailoverStateMachine.onDataPathBack(PAUSED, false, false, partner, false))
                .contains(COMMUNICATIONS_INTERRUPTED);
        assertThat(FailoverStateMachine.onDataPathBack(PAUSED, false, false, partner, true))
                .isEmpty();
    }

    @Test
    void aRestartInPausedStaysPausedUntilTheDataPathIsBack() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(FailoverStateMachine.startup(PAUSED, COMMUNICATIONS_INTERRUPTED, t, t))
                .isEqualTo(PAUSED);
        assertThat(FailoverStateMachine.startupTimeout(PAUSED)).isEqualTo(PAUSED);
        // A partner that went PARTNER-DOWN, even before our last recorded operation: we had handed over, so we
        // recover from it (not a conflict), as from SHUTDOWN (§9.13).
        for (FailoverState handedOver : List.of(PAUSED, SHUTDOWN)) {
            assertThat(FailoverStateMachine.startup(handedOver, PARTNER_DOWN, t.plusSeconds(5), t))
                    .isEqualTo(RECOVER);
            assertThat(FailoverStateMachine.startup(handedOver, PARTNER_DOWN, t.minusSeconds(5), t))
                    .isEqualTo(RECOVER);
        }
    }
}

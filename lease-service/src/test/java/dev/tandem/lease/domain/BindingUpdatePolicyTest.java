package dev.tandem.lease.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.lease.domain.BindingUpdatePolicy.Incoming;
import dev.tandem.lease.domain.BindingUpdatePolicy.Local;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.failover.RejectReason;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The acceptance matrix of draft-ietf-dhc-failover-12 §7.1.3, row by column. "time1" cases are given an update that
 * is later (accept) and earlier (outdated) than ours; "time2" cases a lease that ran out (accept) and one that runs.
 */
class BindingUpdatePolicyTest {

    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    static final String A = "hw:1:02005e000001";
    static final String B = "hw:1:02005e000002";

    enum Timing {
        /** Our lease still runs; the update's cltt is older than ours. */
        OLD,
        /** Our lease ran out; the update's cltt is newer than ours. */
        NEW
    }

    static BindingUpdatePolicy.Verdict decide(
            LeaseState local, String localClient, BindingStatus status, String client, Timing timing, boolean primary) {
        Instant ourCltt = NOW.minusSeconds(100);
        Instant expires = timing == Timing.OLD ? NOW.plusSeconds(100) : NOW.minusSeconds(1);
        Instant theirCltt = timing == Timing.OLD ? NOW.minusSeconds(200) : NOW.minusSeconds(10);
        return BindingUpdatePolicy.decide(
                new Local(local, localClient, expires, ourCltt, ourCltt),
                new Incoming(status, client, theirCltt, false),
                primary,
                NOW);
    }

    @ParameterizedTest(name = "{0} {1} <- {2} {3} ({4}, primary={5}): {6}")
    @CsvSource({
        // FREE (and an offer, which is no binding) accepts everything
        "FREE, , ACTIVE, A, OLD, true, ACCEPT",
        "FREE, , EXPIRED, A, OLD, true, ACCEPT",
        "FREE, , RELEASED, A, OLD, true, ACCEPT",
        "FREE, , BACKUP, , OLD, true, ACCEPT",
        "FREE, , ABANDONED, , OLD, true, ACCEPT",
        "OFFERED, B, ACTIVE, A, OLD, true, ACCEPT",
        // ACTIVE: same client accepts; a different one: the secondary accepts, the primary refuses (5)
        "ACTIVE, A, ACTIVE, A, OLD, true, ACCEPT",
        "ACTIVE, A, ACTIVE, B, OLD, false, ACCEPT",
        "ACTIVE, A, ACTIVE, B, OLD, true, FATAL_CONFLICT",
        // ACTIVE <- EXPIRED / FREE: time(2)
        "ACTIVE, A, EXPIRED, A, OLD, true, OUTDATED_BINDING_INFORMATION",
        "ACTIVE, A, EXPIRED, A, NEW, true, ACCEPT",
        "ACTIVE, A, FREE, , OLD, true, OUTDATED_BINDING_INFORMATION",
        "ACTIVE, A, BACKUP, , NEW, false, ACCEPT",
        // ACTIVE <- RELEASED: time(1)
        "ACTIVE, A, RELEASED, A, OLD, true, OUTDATED_BINDING_INFORMATION",
        "ACTIVE, A, RELEASED, A, NEW, true, ACCEPT",
        // ACTIVE <- RESET / ABANDONED: accept
        "ACTIVE, A, RESET, A, OLD, true, ACCEPT",
        "ACTIVE, A, ABANDONED, , OLD, true, ACCEPT",
        // EXPIRED <- ACTIVE: time(1); the rest accept
        "EXPIRED, A, ACTIVE, B, OLD, true, OUTDATED_BINDING_INFORMATION",
        "EXPIRED, A, ACTIVE, B, NEW, true, ACCEPT",
        "EXPIRED, A, RELEASED, A, OLD, true, ACCEPT",
        "EXPIRED, A, FREE, , OLD, true, ACCEPT",
        // RELEASED <- ACTIVE, or another client's EXPIRED: time(1); the same client's EXPIRED (both hold that its
        // binding ended: refused as no later, the address stayed free on neither side) and the rest accept
        "RELEASED, A, ACTIVE, B, OLD, false, OUTDATED_BINDING_INFORMATION",
        "RELEASED, A, ACTIVE, B, NEW, false, ACCEPT",
        "RELEASED, A, EXPIRED, A, OLD, true, ACCEPT",
        "RELEASED, A, EXPIRED, A, NEW, true, ACCEPT",
        "RELEASED, A, EXPIRED, B, OLD, true, OUTDATED_BINDING_INFORMATION",
        "RELEASED, A, EXPIRED, B, NEW, true, ACCEPT",
        "RELEASED, A, BACKUP, , OLD, true, ACCEPT",
        // ABANDONED (declined, in probation) refuses all but RESET/ABANDONED (16)
        "DECLINED, , ACTIVE, A, OLD, true, LESS_CRITICAL_BINDING_INFORMATION",
        "DECLINED, , EXPIRED, A, OLD, true, LESS_CRITICAL_BINDING_INFORMATION",
        "DECLINED, , FREE, , OLD, true, LESS_CRITICAL_BINDING_INFORMATION",
        "DECLINED, , ABANDONED, , OLD, true, ACCEPT",
        // a probation that ran out is free again
        "DECLINED, , ACTIVE, A, NEW, true, ACCEPT"
    })
    void matrix(
            LeaseState local,
            String localClient,
            BindingStatus status,
            String client,
            Timing timing,
            boolean primary,
            String expected) {
        var verdict = decide(local, key(localClient), status, key(client), timing, primary);
        if (expected.equals("ACCEPT")) {
            assertThat(verdict.accepted()).as(verdict.toString()).isTrue();
        } else {
            assertThat(verdict.reason()).isEqualTo(RejectReason.valueOf(expected));
            assertThat(verdict.message()).isNotBlank();
        }
    }

    /**
     * A partner that settles two ACTIVE bindings of one address by the later one (ISC dhcpd: it keeps its later ACTIVE
     * and refuses ours): the primary takes the partner's ACTIVE of another client when it is strictly later, so both
     * servers hold one client; an earlier or equal one is refused as the matrix has it, and a declined address still
     * refuses.
     */
    @ParameterizedTest(name = "{0} (our cltt -100 s) <- ACTIVE B, cltt {1} s: {2}")
    @CsvSource({
        "ACTIVE, -10, ACCEPT",
        "ACTIVE, -100, FATAL_CONFLICT",
        "ACTIVE, -200, FATAL_CONFLICT",
        "DECLINED, -10, LESS_CRITICAL_BINDING_INFORMATION"
    })
    void aPartnerThatKeepsTheLaterActiveHasItTakenByThePrimaryToo(LeaseState local, long theirs, String expected) {
        Instant ours = NOW.minusSeconds(100);
        var verdict = BindingUpdatePolicy.decide(
                new Local(local, local == LeaseState.ACTIVE ? A : null, NOW.plusSeconds(100), ours, ours),
                new Incoming(BindingStatus.ACTIVE, B, NOW.plusSeconds(theirs), true),
                true,
                NOW);
        assertThat(verdict.accepted() ? "ACCEPT" : verdict.reason().name()).isEqualTo(expected);
    }

    static String key(String name) {
        return name == null ? null : name.equals("A") ? A : B;
    }
}

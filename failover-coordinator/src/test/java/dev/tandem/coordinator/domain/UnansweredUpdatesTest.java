package dev.tandem.coordinator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UnansweredUpdatesTest {

    static final Instant T = Instant.parse("2026-12-07T08:00:00Z");
    static final Duration AFTER = Duration.ofSeconds(120);

    /** Updates 1 (sent at T) and 2 (a second later) in flight, and 2 answered: 1 is overtaken from now on. */
    static UnansweredUpdates firstOvertaken() {
        UnansweredUpdates u = new UnansweredUpdates();
        u.sent(1, T);
        u.sent(2, T.plusSeconds(1));
        u.answered(2);
        return u;
    }

    @Test
    void anUpdateOvertakenByALaterAnswerForTheBoundIsLostAndReportedOnce() {
        UnansweredUpdates u = firstOvertaken();
        assertThat(u.lost(T.plusSeconds(10), AFTER)).as("overtaken from now on").isEmpty();
        assertThat(u.lost(T.plusSeconds(130), AFTER)).isEmpty();
        assertThat(u.lost(T.plusSeconds(131), AFTER)).contains(1L);
        assertThat(u.lost(T.plusSeconds(500), AFTER)).as("once").isEmpty();
    }

    @Test
    void anUpdateOnlySlowOrNotOvertakenIsNotLost() {
        UnansweredUpdates u = new UnansweredUpdates();
        u.sent(1, T);
        assertThat(u.lost(T.plus(Duration.ofHours(1)), AFTER))
                .as("nothing answered after it")
                .isEmpty();
        u.sent(2, T.plusSeconds(5));
        u.answered(1);
        u.answered(2);
        assertThat(u.lost(T.plus(Duration.ofHours(2)), AFTER))
                .as("answered in the end")
                .isEmpty();
        u.sent(3, T.plusSeconds(10));
        u.sent(4, T.plusSeconds(9));
        u.answered(4);
        assertThat(u.lost(T.plus(Duration.ofHours(3)), AFTER))
                .as("sent after the one answered")
                .isEmpty();
    }

    @Test
    void anAnswerThatComesLateClearsTheUpdateAndANewConnectionStartsAfresh() {
        UnansweredUpdates u = firstOvertaken();
        u.lost(T.plusSeconds(10), AFTER);
        u.answered(1);
        assertThat(u.lost(T.plusSeconds(200), AFTER)).isEmpty();
        u.sent(3, T.plusSeconds(300));
        u.sent(4, T.plusSeconds(301));
        u.answered(4);
        u.lost(T.plusSeconds(310), AFTER); // 3 overtaken since T+310
        u.connectionEnded();
        assertThat(u.lost(T.plusSeconds(1000), AFTER))
                .as("what was overtaken on the old connection no longer counts")
                .isEmpty();
        u.sent(5, T.plusSeconds(1001));
        assertThat(u.lost(T.plusSeconds(2000), AFTER))
                .as("the old connection's answers no longer overtake the new one's updates")
                .isEmpty();
    }

    @Test
    void theConnectionIsEndedOncePerUpdateAndTheMemoryIsBounded() {
        UnansweredUpdates u = new UnansweredUpdates();
        assertThat(u.firstEndFor("10.0.0.1#7")).isTrue();
        assertThat(u.firstEndFor("10.0.0.1#7")).isFalse();
        assertThat(u.firstEndFor("10.0.0.1#8")).isTrue();
        u.connectionEnded();
        assertThat(u.firstEndFor("10.0.0.1#7"))
                .as("remembered across connections")
                .isFalse();
        for (int i = 0; i < UnansweredUpdates.ENDED_REMEMBERED; i++) {
            u.firstEndFor("10.0.1." + i + "#1");
        }
        assertThat(u.firstEndFor("10.0.0.1#7")).as("forgotten beyond the bound").isTrue();
    }
}

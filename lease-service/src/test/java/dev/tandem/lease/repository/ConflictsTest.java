package dev.tandem.lease.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConflictsTest {

    static PgException pg(String sqlState) {
        return new PgException("conflict", "ERROR", sqlState, null);
    }

    /** A transaction failing the given ways first, then answering how many times it ran. */
    static Uni<Integer> failingFirst(AtomicInteger runs, RuntimeException... failures) {
        return Uni.createFrom().deferred(() -> {
            int run = runs.incrementAndGet();
            return run <= failures.length
                    ? Uni.createFrom().failure(failures[run - 1])
                    : Uni.createFrom().item(run);
        });
    }

    @Test
    void aDeadlockOrSerialisationFailureRunsTheWorkAgain() {
        AtomicInteger runs = new AtomicInteger();
        int result = Conflicts.retried(failingFirst(runs, pg("40P01"), new RuntimeException(pg("40001"))))
                .await()
                .atMost(Duration.ofSeconds(10));
        assertThat(result).isEqualTo(3);
    }

    @Test
    void anyOtherFailureIsNotRetried() {
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> Conflicts.retried(failingFirst(runs, pg("23505")))
                        .await()
                        .atMost(Duration.ofSeconds(10)))
                .isInstanceOf(PgException.class);
        assertThat(runs).hasValue(1);
    }

    @Test
    void aConflictThatPersistsFailsAfterABoundedNumberOfAttempts() {
        AtomicInteger runs = new AtomicInteger();
        RuntimeException[] always = new RuntimeException[20];
        java.util.Arrays.fill(always, pg("40P01"));
        assertThatThrownBy(() ->
                        Conflicts.retried(failingFirst(runs, always)).await().atMost(Duration.ofSeconds(30)))
                .isInstanceOf(PgException.class);
        assertThat(runs).hasValue(6);
    }
}

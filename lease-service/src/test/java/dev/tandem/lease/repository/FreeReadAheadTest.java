package dev.tandem.lease.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FreeReadAheadTest {

    private final FreeReadAhead readAhead = new FreeReadAhead();
    private final List<Long> readAfter = new ArrayList<>();

    private Uni<List<Long>> pool(long after, List<Long> free) {
        readAfter.add(after);
        return Uni.createFrom()
                .item(free.stream().filter(a -> a > after).limit(3).toList());
    }

    @Test
    void readsInAddressOrderFromWhereTheLastReadEndedAndHandsEachAddressOutOnce() {
        List<Long> free = List.of(10L, 11L, 12L, 13L, 14L);
        assertThat(readAhead.next("s")).isNull();
        assertThat(readAhead.readFurther("s", a -> pool(a, free)).await().indefinitely())
                .isTrue();
        List<Long> handed = new ArrayList<>();
        for (Long a = readAhead.next("s"); a != null; a = readAhead.next("s")) {
            handed.add(a);
        }
        assertThat(readAhead.readFurther("s", a -> pool(a, free)).await().indefinitely())
                .isTrue();
        for (Long a = readAhead.next("s"); a != null; a = readAhead.next("s")) {
            handed.add(a);
        }
        assertThat(handed).containsExactly(10L, 11L, 12L, 13L, 14L);
        // at the end of the pool: nothing further, the caller searches instead
        assertThat(readAhead.readFurther("s", a -> pool(a, free)).await().indefinitely())
                .isFalse();
        assertThat(readAfter).containsExactly(-1L, 12L, 14L);
    }

    @Test
    void concurrentCallersShareOneRead() {
        AtomicInteger reads = new AtomicInteger();
        CompletableFuture<List<Long>> result = new CompletableFuture<>();
        Uni<Boolean> a = readAhead.readFurther("s", after -> {
            reads.incrementAndGet();
            return Uni.createFrom().completionStage(result);
        });
        Uni<Boolean> b = readAhead.readFurther("s", after -> {
            reads.incrementAndGet();
            return Uni.createFrom().completionStage(result);
        });
        CompletableFuture<Boolean> first = a.subscribeAsCompletionStage();
        CompletableFuture<Boolean> second = b.subscribeAsCompletionStage();
        result.complete(List.of(7L, 8L));

        assertThat(first.join()).isTrue();
        assertThat(second.join()).isTrue();
        assertThat(reads).hasValue(1);
        assertThat(readAhead.next("s")).isEqualTo(7L);
        assertThat(readAhead.next("s")).isEqualTo(8L);
        assertThat(readAhead.next("s")).isNull();
    }

    @Test
    void linesAreSeparateAndARestartForgetsWhatWasRead() {
        List<Long> free = List.of(1L, 2L, 3L, 20L, 21L);
        readAhead.readFurther("s/false", a -> pool(a, free)).await().indefinitely();
        assertThat(readAhead.next("s/true")).isNull();
        assertThat(readAhead.next("s/false")).isEqualTo(1L);

        readAhead.restartAfter("s/false", 3L);

        assertThat(readAhead.next("s/false")).isNull();
        readAhead.readFurther("s/false", a -> pool(a, free)).await().indefinitely();
        assertThat(readAhead.next("s/false")).isEqualTo(20L);
        assertThat(readAfter).containsExactly(-1L, 3L);
    }
}

package dev.tandem.coordinator.service;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Confines one relationship's work to one Vert.x context, so the parts of a relationship need no locks: other threads
 * enter through {@link #run} or {@link #call}. Its timers run their work on the context too, and all end with it.
 */
final class Actor {

    private final Vertx vertx;
    private final Context context;
    /** The timers still to fire (periodic ones until cancelled); touched on the context only. */
    private final Set<Long> timers = new HashSet<>();

    private boolean stopped;

    Actor(Vertx vertx) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
    }

    /** Runs work on the context, unless stopped by then. */
    void run(Runnable work) {
        context.runOnContext(v -> {
            if (!stopped) {
                work.run();
            }
        });
    }

    /** Runs work on the context; the future completes with its result or its exception. */
    <T> CompletableFuture<T> call(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        run(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Runs work on the context once after the delay (at least 1 ms); returns the timer, for {@link #cancel}. */
    long after(Duration delay, Runnable work) {
        long id = vertx.setTimer(
                Math.max(1, delay.toMillis()),
                t -> run(() -> {
                    timers.remove(t);
                    work.run();
                }));
        timers.add(id);
        return id;
    }

    /** Runs work on the context every period until cancelled or stopped. */
    long every(Duration period, Runnable work) {
        long id = vertx.setPeriodic(Math.max(1, period.toMillis()), t -> run(work));
        timers.add(id);
        return id;
    }

    /** Cancels a timer; -1 (none) and timers already fired are ignored. Always returns -1, for the caller's field. */
    long cancel(long timer) {
        if (timer >= 0 && timers.remove(timer)) {
            vertx.cancelTimer(timer);
        }
        return -1;
    }

    /** Stops on the context: no work runs after this, every timer is cancelled; then the cleanup runs. */
    void stop(Runnable cleanup) {
        context.runOnContext(v -> {
            stopped = true;
            timers.forEach(vertx::cancelTimer);
            timers.clear();
            cleanup.run();
        });
    }
}

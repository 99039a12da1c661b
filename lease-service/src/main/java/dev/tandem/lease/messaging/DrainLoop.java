package dev.tandem.lease.messaging;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs a drain (take up to a batch from a table, publish it, mark it done) at most once at a time, again and again
 * while full batches come back or a trigger arrived meanwhile. {@link #trigger()} never blocks and never fails; a
 * failed pass is logged and counted by the caller's failure hook and retried on the next trigger.
 */
final class DrainLoop {

    private final String what;
    private final int batch;
    private final Supplier<Uni<Integer>> pass;
    private final Runnable onFailure;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    /** @param pass one drain, returning how many items it handled */
    DrainLoop(String what, int batch, Supplier<Uni<Integer>> pass, Runnable onFailure) {
        this.what = what;
        this.batch = batch;
        this.pass = pass;
        this.onFailure = onFailure;
    }

    /** Starts a drain, or asks the running one to go round again. */
    void trigger() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            loop();
        }
    }

    private void loop() {
        again.set(false);
        Uni<Integer> next;
        try {
            next = pass.get();
        } catch (RuntimeException e) {
            next = Uni.createFrom().failure(e);
        }
        next.subscribe().with(n -> finish(n == batch), failure -> {
            Log.warnf("Publishing %s failed, will retry: %s", what, failure.toString());
            onFailure.run();
            finish(false);
        });
    }

    private void finish(boolean more) {
        if (more || again.get()) {
            loop();
            return;
        }
        running.set(false);
        if (again.get() && running.compareAndSet(false, true)) {
            loop(); // a trigger arrived between the check and the release
        }
    }
}

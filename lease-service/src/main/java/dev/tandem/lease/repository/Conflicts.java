package dev.tandem.lease.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import java.time.Duration;

/**
 * PostgreSQL aborts one of two transactions that deadlock (40P01) or cannot be serialised (40001); the work is sound
 * and runs again. Statements that update many rows at once (configuration sync, resend, acknowledgements, partner
 * updates) can meet each other in either order, so each is retried a few times before its failure counts.
 */
public final class Conflicts {

    private static final int ATTEMPTS = 5;

    private Conflicts() {}

    /** The work again, from a fresh transaction, while it fails only by a conflict with another transaction. */
    public static <T> Uni<T> retried(Uni<T> work) {
        return work.onFailure(Conflicts::isConflict)
                .retry()
                .withBackOff(Duration.ofMillis(50), Duration.ofSeconds(1))
                .withJitter(0.5)
                .atMost(ATTEMPTS);
    }

    public static boolean isConflict(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PgException pg) {
                String state = pg.getSqlState();
                return "40P01".equals(state) || "40001".equals(state);
            }
        }
        return false;
    }
}

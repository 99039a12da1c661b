package dev.tandem.lease.repository;

import io.smallrye.mutiny.Uni;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Free addresses read ahead for allocation, per scope and pool owner, in address order from where the last read
 * ended. They are hints: the statement that takes one still checks and locks the row, so an address taken meanwhile
 * (by a replica, a reservation, a pool change) is only skipped. Concurrent allocations share one read at a time, and
 * each address is handed out once.
 */
final class FreeReadAhead {

    /** Addresses read at a time. */
    static final int READ = 256;

    private final Map<String, Line> lines = new HashMap<>();

    private static final class Line {
        final ArrayDeque<Long> addresses = new ArrayDeque<>();
        long after = -1L;
        Uni<Boolean> reading;
    }

    /** The next address of the line, or null when the line must be read further first. */
    synchronized Long next(String key) {
        return lines.computeIfAbsent(key, k -> new Line()).addresses.poll();
    }

    /**
     * Reads the line further (one read for all callers at a time) with {@code read}, given the last address read;
     * true if it found addresses, false at the end of the pool.
     */
    synchronized Uni<Boolean> readFurther(String key, LongFunction<Uni<List<Long>>> read) {
        Line line = lines.computeIfAbsent(key, k -> new Line());
        if (!line.addresses.isEmpty()) {
            return Uni.createFrom().item(true);
        }
        if (line.reading == null) {
            long after = line.after;
            line.reading = read.apply(after)
                    .map(found -> added(line, found))
                    .onTermination()
                    .invoke(() -> {
                        synchronized (this) {
                            line.reading = null;
                        }
                    })
                    .memoize()
                    .indefinitely();
        }
        return line.reading;
    }

    private synchronized boolean added(Line line, List<Long> found) {
        line.addresses.addAll(found);
        if (!found.isEmpty()) {
            line.after = found.get(found.size() - 1);
        }
        return !found.isEmpty();
    }

    /** Forgets what was read and continues after {@code address} (where an allocation without read-ahead took one). */
    synchronized void restartAfter(String key, long address) {
        Line line = lines.computeIfAbsent(key, k -> new Line());
        line.addresses.clear();
        line.after = address;
    }
}

package dev.tandem.coordinator.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Our binding updates in flight on one connection, and which of them the partner lost: one still unanswered a bound
 * after the partner answered a later one. The partner answers in order within its window, so an update overtaken by a
 * later answer for that long was lost there; else its slot of the window, any partner update that crossed it and any
 * UPDDONE owed after it would wait for good. The runner then ends the connection, and the next one sends it again,
 * once per update: a Tandem partner defers some on purpose (a revision its lease-service lacks), and a second time
 * it is only logged. Confined to the runner's context; not thread-safe.
 */
public final class UnansweredUpdates {

    /** How many updates a connection was ended for are remembered (then forgotten at once). */
    static final int ENDED_REMEMBERED = 4096;

    private final Map<Long, Instant> sentAt = new HashMap<>();
    /** Since when each update in flight is known to be overtaken; {@link Instant#MAX} once reported. */
    private final Map<Long, Instant> overtakenAt = new HashMap<>();

    private Instant answeredSentAt = Instant.MIN;
    /** The updates (address and number) a connection was ended for. */
    private final Set<String> endedFor = new HashSet<>();

    /** Our update {@code xid} went to the partner. */
    public void sent(long xid, Instant at) {
        sentAt.put(xid, at);
    }

    /** The partner answered {@code xid}: every update sent before it is overtaken from now on. */
    public void answered(long xid) {
        Instant sent = sentAt.remove(xid);
        overtakenAt.remove(xid);
        if (sent != null && sent.isAfter(answeredSentAt)) {
            answeredSentAt = sent;
        }
    }

    /** The connection ended: what was in flight is sent again on the next one. */
    public void connectionEnded() {
        sentAt.clear();
        overtakenAt.clear();
        answeredSentAt = Instant.MIN;
    }

    /**
     * An update overtaken by a later answer for longer than {@code after}, reported once (the first found); empty if
     * none.
     */
    public Optional<Long> lost(Instant now, Duration after) {
        sentAt.forEach((xid, sent) -> {
            if (sent.isBefore(answeredSentAt)) {
                overtakenAt.putIfAbsent(xid, now);
            }
        });
        Instant bound = now.minus(after);
        Optional<Long> lost = overtakenAt.entrySet().stream()
                .filter(e -> e.getValue().isBefore(bound))
                .map(Map.Entry::getKey)
                .findFirst();
        lost.ifPresent(xid -> overtakenAt.put(xid, Instant.MAX));
        return lost;
    }

    /** Whether the connection is to be ended for this update ({@code key}: its address and number): the first time. */
    public boolean firstEndFor(String key) {
        if (endedFor.size() >= ENDED_REMEMBERED) {
            endedFor.clear();
        }
        return endedFor.add(key);
    }
}

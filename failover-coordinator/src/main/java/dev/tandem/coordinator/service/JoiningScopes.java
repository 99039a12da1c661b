package dev.tandem.coordinator.service;

import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.net.Ipv4;
import io.quarkus.logging.Log;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Scopes that joined this running relationship (in its configuration, not in the state it resumed) and whose bindings
 * the partner has not sent yet: an UPDREQALL asks for them, and until its UPDDONE the lease-service allocates nothing in
 * them (a scope with live leases on either server may join). A partner that sends no binding of a scope does not have
 * it in the relationship yet (its configuration lags, or lacks it): until it does, it may serve the scope apart (as a
 * scope that left), so the scope keeps joining, and the partner is asked again.
 */
final class JoiningScopes {

    private static final Duration RETRY_FIRST = Duration.ofSeconds(30);
    private static final Duration RETRY_MAX = Duration.ofMinutes(5);

    private final String relationship;
    private final Actor actor;
    private final Clock clock;
    private final Supplier<List<ScopeConfig>> pools;
    /** Asks the partner for all its bindings. */
    private final Runnable askAll;
    /** Asks again later, through what the current state does on contact. */
    private final Runnable retry;

    private final TreeSet<String> joining = new TreeSet<>();
    /** Joining scopes of which the partner's full update under way brought a binding. */
    private final Set<String> covered = new HashSet<>();
    /** Whether the partner asked for all our updates since our own UPDREQALL went (it has just joined a scope). */
    private boolean partnerAskedAll;
    /** Whether the wait for a partner lacking a joining scope was logged (once per runner). */
    private boolean uncoveredLogged;

    private long retryTimer = -1;
    /** When the partner was last asked again at once for a joining scope: at most every 30 s (two joins can cross). */
    private Instant askedAgainAt = Instant.EPOCH;
    /** The pause before asking again for a joining scope the partner lacks: doubles up to 5 min. */
    private Duration retryPause = RETRY_FIRST;

    JoiningScopes(
            String relationship,
            Collection<String> joining,
            Actor actor,
            Clock clock,
            Supplier<List<ScopeConfig>> pools,
            Runnable askAll,
            Runnable retry) {
        this.relationship = relationship;
        this.joining.addAll(joining);
        this.actor = actor;
        this.clock = clock;
        this.pools = pools;
        this.askAll = askAll;
        this.retry = retry;
    }

    boolean isEmpty() {
        return joining.isEmpty();
    }

    /** The scopes still joining, in order. */
    Set<String> scopes() {
        return Collections.unmodifiableSet(joining);
    }

    /** We ask the partner for all its bindings: which scopes they cover is counted afresh. */
    void askingAll() {
        covered.clear();
        partnerAskedAll = false;
    }

    /** A binding of the partner's arrived while our request for all is under way: its joining scope is covered. */
    void arrived(Ipv4 address) {
        if (!joining.isEmpty()) {
            pools.get().stream()
                    .filter(p -> joining.contains(p.id()) && p.inPool(address))
                    .forEach(p -> covered.add(p.id()));
        }
    }

    /** The partner asked for all our bindings: it may have just joined the scopes still joining here. */
    void partnerAskedAll(boolean mayAskNow) {
        partnerAskedAll = true;
        if (!joining.isEmpty() && mayAskNow) {
            askAgain();
        }
    }

    /**
     * After the partner's full update: a joining scope of which it brought a binding (or that has no address to give,
     * only reservations) has joined; one of which it brought none is not in the partner's relationship yet, so it keeps
     * waiting, and the partner is asked again when it asks for ours (it joined it), or after a pause of 30 s to 5 min.
     * Whether any scope joined.
     */
    boolean settle() {
        List<String> joined = joining.stream()
                .filter(id ->
                        covered.contains(id) || pools.get().stream().noneMatch(p -> p.id().equals(id) && dynamic(p)))
                .toList();
        if (!joined.isEmpty()) {
            Log.infof(
                    "Failover %s: the partner's bindings of joining scope(s) %s are here; they are served from now on",
                    relationship, joined);
            joined.forEach(joining::remove);
        }
        if (joining.isEmpty()) {
            return !joined.isEmpty();
        }
        if (!uncoveredLogged) {
            uncoveredLogged = true;
            Log.warnf(
                    "Failover %s: the partner's full update has no binding of joining scope(s) %s: it does not have"
                            + " them in the relationship yet (its configuration lags or lacks them). Nobody new gets"
                            + " an address in them here until it does; asking it again when it asks for ours, and"
                            + " after a pause growing from 30 s to 5 min",
                    relationship, joining);
        }
        if (partnerAskedAll) {
            askAgain();
        } else {
            retryLater(retryPause);
            retryPause = retryPause.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : retryPause.multipliedBy(2);
        }
        return !joined.isEmpty();
    }

    /**
     * Asks the partner for all its bindings again at once for the joining scopes (it has asked for ours: it may have
     * just joined them), unless that was done less than 30 s ago: two servers each joining a scope the other lacks
     * would otherwise ask each other back and forth without a pause. Then the timer asks.
     */
    private void askAgain() {
        Instant now = clock.instant();
        if (now.isBefore(askedAgainAt.plus(RETRY_FIRST))) {
            retryLater(RETRY_FIRST);
            return;
        }
        askedAgainAt = now;
        askAll.run();
    }

    private void retryLater(Duration pause) {
        if (retryTimer >= 0) {
            return;
        }
        retryTimer = actor.after(pause, () -> {
            retryTimer = -1;
            retry.run();
        });
    }

    /** Whether a scope has addresses to give, not only reserved ones. */
    private static boolean dynamic(ScopeConfig scope) {
        return scope.poolSize()
                > scope.reservations().stream()
                        .filter(r -> scope.inPool(r.address()))
                        .count();
    }
}

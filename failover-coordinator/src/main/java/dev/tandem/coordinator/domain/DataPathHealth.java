package dev.tandem.coordinator.domain;

import dev.tandem.protocol.bus.ServiceHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether this server's data path can serve, judged from the heartbeats of its services ({@link ServiceHealth}), so
 * that the failover logic shares the fate of the services that serve, as it does inside one ISC or Kea process.
 *
 * <p>The lease-services share the requests (one Kafka consumer group): one that is ready is enough. The gateways each
 * serve their own segments or relays: every gateway heard recently must be ready. An instance counts as gone once
 * silent for the timeout; a gateway silent for {@code forgetAfter} is taken to be decommissioned. Until the startup
 * grace has passed, only a "not ready" heard counts, not silence (the services, or the coordinator's own consumer of
 * their heartbeats, may be starting with it). Pure: the caller brings the time.
 *
 * <p>The path goes down at once, but comes back only after it has been up for {@code stableFor} without a break, so
 * that a service that keeps failing does not move the relationship back and forth. With {@code stableFor} longer than
 * the timeout this also covers heartbeats read late all at once (a consumer that stalled, a Kafka restart after which
 * the producers deliver what they buffered): the last ones of an instance that died meanwhile count as heard now and
 * keep it alive for one timeout, which is too short to bring the path back.
 */
public final class DataPathHealth {

    /** The judgement, with the reason when the server cannot serve (null when it can). */
    public record Verdict(boolean up, String reason) {}

    private record Beat(
            String service,
            String instance,
            boolean ready,
            String reason,
            Instant heard,
            Instant sent,
            boolean reportsState,
            Instant stateAt) {}

    private final Duration timeout;
    private final Duration forgetAfter;
    private final Duration stableFor;
    private final Duration stateLag;
    private final Instant graceUntil;
    private final Map<String, Beat> beats = new TreeMap<>();
    private boolean up = true;
    private Instant upSince;
    private Instant awayFrom = Instant.MIN;
    private Instant awayUntil = Instant.MIN;
    /** When this judge last came back from an absence: the lag is judged only a state lag after it. */
    private Instant lagBaseline = Instant.MIN;

    public DataPathHealth(Duration timeout, Duration forgetAfter, Instant started, Duration grace, Duration stableFor) {
        this(timeout, forgetAfter, started, grace, stableFor, Duration.ofSeconds(3));
    }

    /**
     * @param stateLag a lease-service whose newest failover state was published longer than this before its heartbeat
     *     was sent, while this coordinator has been publishing for longer than that, is not serving: shorter than the
     *     lease-services' max-failover-state-age, after which they allocate nothing in the relationship's scopes
     */
    public DataPathHealth(
            Duration timeout,
            Duration forgetAfter,
            Instant started,
            Duration grace,
            Duration stableFor,
            Duration stateLag) {
        this.timeout = timeout;
        this.stateLag = stateLag;
        this.forgetAfter = forgetAfter;
        this.graceUntil = started.plus(grace);
        this.stableFor = stableFor;
    }

    /**
     * The judge itself was away from {@code left} until {@code now}, longer than the timeout (its process stopped, a
     * long pause): the silence meanwhile was its own, its consumer heard nothing either. For one timeout from now (the
     * heartbeats sent meanwhile are still being read), an instance that was fresh when the judge left is not taken as
     * silent; one already silent then still is, so repeated absences cannot keep a dead instance alive.
     */
    public void judgeWasAway(Instant left, Instant now) {
        awayFrom = left;
        awayUntil = now.plus(timeout);
        lagBaseline = now;
    }

    /** A heartbeat arrived (the time is when it was heard here: the sender's clock may differ). */
    public void heard(ServiceHealth beat, Instant now) {
        if (ServiceHealth.LEASE_SERVICE.equals(beat.service()) || ServiceHealth.GATEWAY.equals(beat.service())) {
            beats.put(
                    beat.key(),
                    new Beat(
                            beat.service(),
                            beat.instance(),
                            beat.ready(),
                            beat.reason(),
                            now,
                            beat.at(),
                            beat.version() >= 2 && ServiceHealth.LEASE_SERVICE.equals(beat.service()),
                            beat.stateAt()));
        }
    }

    /** The judgement now, for a coordinator that publishes no failover state (no relationship). */
    public Verdict verdict(Instant now) {
        return verdict(now, null);
    }

    /**
     * The judgement now: down at once, up again only after {@code stableFor} up without a break.
     *
     * @param publishingSince since when this coordinator has published failover states without a break (null: it
     *     publishes none): the lease-services must be receiving them
     */
    public Verdict verdict(Instant now, Instant publishingSince) {
        Verdict judged = judge(now, publishingSince);
        if (!judged.up()) {
            up = false;
            upSince = null;
            return judged;
        }
        if (!up) {
            upSince = upSince == null ? now : upSince;
            Duration upFor = Duration.between(upSince, now);
            if (upFor.compareTo(stableFor) < 0) {
                return new Verdict(
                        false,
                        "ready again for " + upFor.toMillis() + " ms of the " + stableFor.toMillis()
                                + " ms it must be before the server serves again");
            }
            up = true;
            upSince = null;
        }
        return judged;
    }

    private Verdict judge(Instant now, Instant publishingSince) {
        beats.values()
                .removeIf(b -> ServiceHealth.GATEWAY.equals(b.service())
                        && b.heard().plus(forgetAfter).isBefore(now));
        boolean starting = now.isBefore(graceUntil);
        List<String> problems = new ArrayList<>();
        List<Beat> leaseServices = of(ServiceHealth.LEASE_SERVICE);
        if (leaseServices.stream()
                .noneMatch(b -> serving(b, now, starting) && !lagging(b, starting, publishingSince))) {
            if (leaseServices.isEmpty()) {
                if (!starting) {
                    problems.add("no lease-service heard");
                }
            } else {
                leaseServices.forEach(b -> problems.add(serving(b, now, starting) ? lag(b) : problem(b, now)));
            }
        }
        List<Beat> gateways = of(ServiceHealth.GATEWAY);
        if (gateways.isEmpty() && !starting) {
            problems.add("no packet-gateway heard");
        }
        gateways.stream().filter(b -> !serving(b, now, starting)).forEach(b -> problems.add(problem(b, now)));
        return problems.isEmpty() ? new Verdict(true, null) : new Verdict(false, String.join("; ", problems));
    }

    private List<Beat> of(String service) {
        return beats.values().stream().filter(b -> b.service().equals(service)).toList();
    }

    private boolean serving(Beat b, Instant now, boolean starting) {
        return b.ready() && (starting || fresh(b, now));
    }

    /**
     * Whether a lease-service's newest failover state was too old, though this coordinator had been publishing long
     * enough for it to have a fresh one: its state consumer lags (or cannot read the topic), and it will soon allocate
     * nothing in the relationships' scopes. Too old both when sent (the lease-service's clock, as its own rule judges)
     * and when heard (this coordinator's): a clock running ahead on one side alone, or heartbeats read late all at
     * once, is not a lag. Not judged during the startup grace, within the state lag of publishing's start or of this
     * judge's return from an absence (its own publishing stopped meanwhile), nor for a heartbeat that does not report
     * its state (version 1).
     */
    private boolean lagging(Beat b, boolean starting, Instant publishingSince) {
        if (starting || publishingSince == null || !b.reportsState() || b.sent() == null) {
            return false;
        }
        Instant baseline = publishingSince.isAfter(lagBaseline) ? publishingSince : lagBaseline;
        if (!b.heard().isAfter(baseline.plus(stateLag))) {
            return false; // a fresh state may still be on its way
        }
        return b.stateAt() == null
                || (Duration.between(b.stateAt(), b.sent()).compareTo(stateLag) > 0
                        && Duration.between(b.stateAt(), b.heard()).compareTo(stateLag) > 0);
    }

    private String lag(Beat b) {
        String who = b.service() + " " + b.instance();
        return b.stateAt() == null
                ? who + ": holds no failover state (its state consumer reads nothing)"
                : who + ": its newest failover state was published "
                        + Duration.between(b.stateAt(), b.sent()).toMillis()
                        + " ms before its heartbeat (its state consumer lags)";
    }

    private boolean fresh(Beat b, Instant now) {
        return !b.heard().plus(timeout).isBefore(now)
                || (now.isBefore(awayUntil) && !b.heard().plus(timeout).isBefore(awayFrom));
    }

    private String problem(Beat b, Instant now) {
        String who = b.service() + " " + b.instance();
        if (!fresh(b, now)) {
            return who + " silent for " + Duration.between(b.heard(), now).toMillis() + " ms";
        }
        return who + ": " + b.reason();
    }
}

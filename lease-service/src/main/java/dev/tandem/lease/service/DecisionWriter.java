package dev.tandem.lease.service;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.domain.Decision;
import dev.tandem.lease.domain.DnsIntent;
import dev.tandem.lease.domain.Guard;
import dev.tandem.lease.domain.LeasePolicy;
import dev.tandem.lease.domain.LeaseState;
import dev.tandem.lease.domain.LeaseTimes;
import dev.tandem.lease.repository.AddressAllocator;
import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.repository.LeaseRepository.Client;
import dev.tandem.lease.repository.LeaseRow;
import dev.tandem.lease.repository.OutboxRepository.Pending;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.failover.ServiceRules;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries out a decision of {@link LeasePolicy} on the client's locked rows, in the batch's transaction, and builds
 * the reply: the rows' writes (each checks in its WHERE clause that the row may still take it), the lease events they
 * owe, and under failover the lease time capped at what the partner acknowledged plus MCLT.
 */
@ApplicationScoped
public class DecisionWriter {

    private static final Duration EXHAUSTION_LOG_INTERVAL = Duration.ofMinutes(1);

    private final ConfigHolder configHolder;
    private final LeaseRepository leases;
    private final AddressAllocator allocator;
    private final LeaseEvents leaseEvents;
    private final MeterRegistry metrics;
    private final boolean ddns;
    private final Map<String, Instant> exhaustionLogged = new ConcurrentHashMap<>();

    public DecisionWriter(
            ConfigHolder configHolder,
            LeaseRepository leases,
            AddressAllocator allocator,
            LeaseEvents leaseEvents,
            MeterRegistry metrics,
            LeaseServiceConfig config) {
        this.configHolder = configHolder;
        this.leases = leases;
        this.allocator = allocator;
        this.leaseEvents = leaseEvents;
        this.metrics = metrics;
        this.ddns = config.ddns().enabled();
    }

    /** The DNS records this server registers for the client, when it updates DNS at all (docs/ddns.md). */
    private DnsIntent dns(Context c) {
        return ddns ? DnsIntent.of(c.scope(), c.request()).orElse(null) : null;
    }

    /** One request's decision on its rows, in the transaction of {@code conn}; its events go to {@code events}. */
    record Context(
            SqlConnection conn,
            Triaged triaged,
            ServerSettings settings,
            Client client,
            Optional<LeaseRow> clientRow,
            List<LeaseRow> rows,
            Guard guard,
            Instant now,
            List<Pending> events) {

        LeaseRequest request() {
            return triaged.request();
        }

        ScopeConfig scope() {
            return triaged.scope();
        }

        Instant offerUntil() {
            return now.plus(settings.offerTimeout());
        }

        /** The lease times the scope grants the client, under failover capped (draft §5.2.1). */
        LeaseTimes times(Ipv4 address) {
            LeaseTimes desired = LeaseTimes.grant(scope(), request().requestedLeaseTime());
            Instant acknowledged = address == null ? null : acknowledged(rows, address, client);
            return triaged.failover()
                    .map(f -> desired.atMost(ServiceRules.leaseTime(desired.lease(), acknowledged, f.mclt(), now)))
                    .orElse(desired);
        }
    }

    Uni<LeaseReply> apply(
            SqlConnection conn,
            Decision decision,
            Triaged triaged,
            ServerSettings settings,
            Client client,
            Optional<LeaseRow> clientRow,
            List<LeaseRow> rows,
            Instant now,
            List<Pending> events) {
        Guard guard = triaged.failover()
                .map(FailoverView.Context::guard)
                .orElseGet(() -> configHolder.standaloneGuard(triaged.scope().id(), now));
        Context c = new Context(conn, triaged, settings, client, clientRow, rows, guard, now, events);
        if (decision instanceof Decision.Offer offer) {
            return offer(c, offer.address());
        }
        if (decision instanceof Decision.AllocateAndOffer) {
            return vacateOther(c, null, false).flatMap(x -> allocate(c));
        }
        if (decision instanceof Decision.Ack ack) {
            return ack(c, ack);
        }
        if (decision instanceof Decision.Nak nak) {
            return Uni.createFrom().item(LeaseReplies.nak(nak.message()));
        }
        if (decision instanceof Decision.Withdraw w) {
            return leases.endHolding(conn, w.address(), client.key(), "OFFERED", "FREE", null, now, false)
                    .replaceWith(LeaseReply.none("selected-other-server"));
        }
        if (decision instanceof Decision.Release release) {
            return release(c, release.address());
        }
        if (decision instanceof Decision.Decline decline) {
            return decline(c, decline.address());
        }
        if (decision instanceof Decision.InformAck) {
            return Uni.createFrom().item(LeaseReplies.reply("ACK", null, null, c.scope(), c.request(), null));
        }
        return Uni.createFrom().item(LeaseReply.none(((Decision.Ignore) decision).reason()));
    }

    /** The address the policy chose, else (taken meanwhile) a newly allocated one. */
    private Uni<LeaseReply> offer(Context c, Ipv4 address) {
        LeaseTimes times = c.times(address);
        return vacateOther(c, address, false)
                .flatMap(x ->
                        leases.offer(c.conn(), c.scope().id(), address, c.client(), c.offerUntil(), c.now(), c.guard()))
                .flatMap(ok -> ok
                        ? Uni.createFrom()
                                .item(LeaseReplies.reply("OFFER", address, times, c.scope(), c.request(), dns(c)))
                        : allocate(c));
    }

    private Uni<LeaseReply> allocate(Context c) {
        LeaseTimes times = c.times(null);
        return allocator
                .allocate(c.conn(), c.scope().id(), c.client(), c.offerUntil(), c.now(), c.guard())
                .map(address -> {
                    if (address == null && !c.guard().others()) {
                        // draft-ietf-dhc-failover-12 §9: renewals only (RECOVER-DONE, a handover's drain, a joining
                        // scope)
                        return LeaseReply.none("failover-not-allocating");
                    }
                    if (address == null) {
                        exhausted(c.scope().id(), c.client(), c.now());
                        return LeaseReply.none("pool-exhausted");
                    }
                    return LeaseReplies.reply("OFFER", address, times, c.scope(), c.request(), dns(c));
                });
    }

    private void exhausted(String scope, Client client, Instant now) {
        metrics.counter("tandem_pool_exhausted_total", "subnet", scope).increment();
        Instant last = exhaustionLogged.get(scope);
        if (last == null || last.plus(EXHAUSTION_LOG_INTERVAL).isBefore(now)) {
            exhaustionLogged.put(scope, now);
            Log.warnf(
                    "No free address in scope %s for %s: pool exhausted (counted in tandem_pool_exhausted_total;"
                            + " logged at most once a minute per scope)",
                    scope, client.key());
        }
    }

    private Uni<LeaseReply> ack(Context c, Decision.Ack ack) {
        DnsIntent dns = dns(c);
        LeaseTimes desired = LeaseTimes.grant(c.scope(), c.request().requestedLeaseTime());
        LeaseTimes times = c.times(ack.address());
        Instant until = c.now().plusSeconds(times.lease());
        Instant potential = ServiceRules.potentialExpiration(desired.lease(), times.lease(), c.now());
        return vacateOther(c, ack.address(), true)
                .flatMap(x -> leases.bind(
                        c.conn(), c.scope().id(), ack.address(), c.client(), until, c.now(), c.guard(), potential))
                .map(ok -> {
                    if (!ok) {
                        return LeaseReplies.nak("address no longer available");
                    }
                    c.events()
                            .add(leaseEvents.pending(
                                    ack.renewal() ? "renewed" : "committed",
                                    LeaseState.ACTIVE,
                                    ack.address(),
                                    c.scope().id(),
                                    c.client(),
                                    c.now(),
                                    until,
                                    dns));
                    return LeaseReplies.reply("ACK", ack.address(), times, c.scope(), c.request(), dns);
                });
    }

    private Uni<LeaseReply> release(Context c, Ipv4 address) {
        return leases.endHolding(
                        c.conn(),
                        address,
                        c.client().key(),
                        "ACTIVE",
                        "RELEASED",
                        null,
                        c.now(),
                        c.guard().track())
                .map(ok -> {
                    if (ok) {
                        c.events()
                                .add(leaseEvents.pending(
                                        "released",
                                        LeaseState.RELEASED,
                                        address,
                                        c.scope().id(),
                                        c.client(),
                                        c.now(),
                                        null));
                    }
                    return LeaseReply.none(ok ? "released" : "release-without-binding");
                });
    }

    private Uni<LeaseReply> decline(Context c, Ipv4 address) {
        Instant until = c.now().plus(c.settings().declineProbation());
        String from = c.clientRow()
                .filter(row -> row.address().equals(address))
                .map(row -> row.state().name())
                .orElse("ACTIVE");
        return leases.endHolding(
                        c.conn(),
                        address,
                        c.client().key(),
                        from,
                        "DECLINED",
                        until,
                        c.now(),
                        c.guard().track())
                .map(ok -> {
                    if (ok) {
                        Log.warnf(
                                "Address %s declined by %s: in use by something else; out of use until %s",
                                address, c.client().key(), until);
                        c.events()
                                .add(leaseEvents.pending(
                                        "declined",
                                        LeaseState.DECLINED,
                                        address,
                                        c.scope().id(),
                                        c.client(),
                                        c.now(),
                                        until));
                    }
                    return LeaseReply.none(ok ? "declined" : "decline-without-binding");
                });
    }

    /**
     * A client holds one address per scope: before it is offered another, its other offers are withdrawn; once it is
     * acknowledged another ({@code bindings}), its other leases end as released. A client that REQUESTs an address
     * uses none of its others, so for the partner this is a release by the client's later transaction (time(1) of the
     * acceptance matrix), which it accepts unless it has a later transaction of the client on that address itself;
     * then both agree that the address is free once the partner has acknowledged it. Not at a DISCOVER: the client may
     * yet take the partner's offer of the address it held there, and the two servers' clocks may differ.
     */
    private Uni<Void> vacateOther(Context c, Ipv4 keep, boolean bindings) {
        // Every other offer or binding of the client ends: usually one; two bindings after a partition in which each
        // server of a pair bound the client (FailoverBindings).
        List<LeaseRow> others = c.rows().stream()
                .filter(row -> c.client().key().equals(row.clientKey())
                        && !row.address().equals(keep)
                        && (row.state() == LeaseState.OFFERED || (bindings && row.state() == LeaseState.ACTIVE)))
                .toList();
        Uni<Void> done = Uni.createFrom().voidItem();
        for (LeaseRow row : others) {
            boolean active = row.state() == LeaseState.ACTIVE;
            done = done.flatMap(x -> leases.endHolding(
                                    c.conn(),
                                    row.address(),
                                    c.client().key(),
                                    row.state().name(),
                                    active ? "RELEASED" : "FREE",
                                    null,
                                    c.now(),
                                    c.guard().track() && active)
                            .invoke(ok -> {
                                if (ok && active) {
                                    c.events()
                                            .add(leaseEvents.pending(
                                                    "released",
                                                    LeaseState.RELEASED,
                                                    row.address(),
                                                    c.scope().id(),
                                                    c.client(),
                                                    c.now(),
                                                    null));
                                }
                            }))
                    .replaceWithVoid();
        }
        return done;
    }

    /** The potential expiration the partner acknowledged for this client's binding of the address (§5.2.1). */
    private static Instant acknowledged(List<LeaseRow> rows, Ipv4 address, Client client) {
        return rows.stream()
                .filter(row -> row.address().equals(address)
                        && row.state() != LeaseState.FREE
                        && client.key().equals(row.clientKey()))
                .map(LeaseRow::tsfp)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
    }
}

package dev.tandem.lease.service;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.domain.DnsPlan;
import dev.tandem.lease.domain.DnsPlan.Registration;
import dev.tandem.lease.domain.DnsPlan.Target;
import dev.tandem.lease.repository.DnsNameRepository;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ScopeConfig.DdnsConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries this server's lease events into DNS (docs/ddns.md): works out the change with {@link DnsPlan}, makes it with
 * {@link DnsRegistrar} and records what this server registered. The log lines are ISC dhcpd's. A failure is returned
 * for the caller to try the event again; nothing here delays a client's reply.
 */
@ApplicationScoped
public class DnsUpdates {

    private final ConfigHolder config;
    private final DnsNameRepository names;
    private final DnsRegistrar registrar;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final String server;
    private final Map<String, Instant> refusalsLogged = new ConcurrentHashMap<>();

    public DnsUpdates(
            ConfigHolder config,
            DnsNameRepository names,
            DnsRegistrar registrar,
            MeterRegistry metrics,
            Clock clock,
            LeaseServiceConfig settings) {
        this.config = config;
        this.names = names;
        this.registrar = registrar;
        this.metrics = metrics;
        this.clock = clock;
        this.server = settings.server();
    }

    /**
     * Applies one event of the shared topic; another server's event does nothing. Fails, to be tried again, while no
     * configuration is in force yet or when the name server gives no answer; an update the name server refuses is
     * counted and logged and not tried again.
     */
    public Uni<Void> apply(LeaseEvent event) {
        if (event == null || !server.equals(event.server()) || event.address() == null) {
            return Uni.createFrom().voidItem();
        }
        Optional<ServerSettings> settings = config.current();
        if (settings.isEmpty()) {
            return Uni.createFrom()
                    .failure(new DnsRegistrar.DnsUpdateException("no configuration in force yet", false));
        }
        DdnsConfig current =
                settings.get().scope(event.scope()).map(ScopeConfig::ddns).orElse(null);
        Ipv4 address = Ipv4.parse(event.address());
        return names.find(address)
                .flatMap(registered -> registered.isEmpty() && (current == null || event.fqdn() == null)
                        ? Uni.createFrom().item(DnsPlan.NOTHING)
                        : names.holder(address).map(now -> DnsPlan.of(event, current, registered, now)))
                .flatMap(plan -> remove(plan.remove(), current).flatMap(x -> add(plan.add(), current)));
    }

    /**
     * Takes a registration out of DNS: at the scope's name server, with its key, as they are now while its zones are
     * the ones the name was registered in; else where it was registered, and then without retries (no scope uses that
     * server any more: it may be gone). The row goes once the records are gone; a removal that cannot be made keeps it,
     * for the address's next event to try again.
     */
    private Uni<Void> remove(Registration stored, DdnsConfig current) {
        if (stored == null) {
            return Uni.createFrom().voidItem();
        }
        boolean sameZones = current != null
                && Objects.equals(stored.target().forwardZone(), current.forwardZone())
                && Objects.equals(stored.target().reverseZone(), current.reverseZone());
        Registration r = sameZones ? stored.at(Target.of(current)) : stored;
        return registrar
                .unregister(r)
                .flatMap(x -> names.delete(r.address()))
                .invoke(() -> {
                    count("remove", "done");
                    Log.infof(
                            "Removed DNS records of %s for %s: %s (%s)",
                            r.address(), r.clientKey(), r.fqdn(), records(r));
                })
                .onFailure(e -> e instanceof DnsRegistrar.DnsUpdateException d && (d.permanent() || !sameZones))
                .recoverWithItem(e -> {
                    refused("remove", e);
                    return null;
                });
    }

    private Uni<Void> add(Registration r, DdnsConfig current) {
        if (r == null) {
            return Uni.createFrom().voidItem();
        }
        return registrar
                .register(r, current.ttl())
                .flatMap(outcome -> {
                    if (outcome == DnsRegistrar.Outcome.CONFLICT) {
                        count("add", "conflict");
                        Log.warnf(
                                "Forward map from %s to %s not added: the name has a DHCID record of another client"
                                        + " (RFC 4703), left as it is",
                                r.fqdn(), r.address());
                        return names.delete(r.address());
                    }
                    count("add", "done");
                    Log.infof(
                            "Added DNS records of %s for %s: %s (%s)",
                            r.address(), r.clientKey(), r.fqdn(), records(r));
                    return names.save(r, clock.instant());
                })
                .onFailure(DnsUpdates::permanent)
                .recoverWithUni(e -> {
                    // part of it may be in DNS (A and DHCID, the PTR refused): kept, for the removal at the end
                    refused("add", e);
                    return names.save(r, clock.instant());
                });
    }

    private static boolean permanent(Throwable e) {
        return e instanceof DnsRegistrar.DnsUpdateException d && d.permanent();
    }

    /** An update trying again cannot help: counted, logged (at most once a minute per reason), not tried again. */
    private void refused(String operation, Throwable e) {
        count(operation, "refused");
        String reason = e.getMessage().replaceAll("^[^:]*: ", "");
        Instant now = clock.instant();
        Instant last = refusalsLogged.get(reason);
        if (last == null || last.plusSeconds(60).isBefore(now)) {
            refusalsLogged.put(reason, now);
            Log.warnf(
                    "DNS update not made and not tried again (counted in tandem_ddns_updates_total{outcome=\"refused\"};"
                            + " logged at most once a minute per reason): %s",
                    e.getMessage());
        }
    }

    /** Counts an update that failed and is to be tried again. */
    public void failed() {
        count("any", "failed");
    }

    private void count(String operation, String outcome) {
        metrics.counter("tandem_ddns_updates_total", "operation", operation, "outcome", outcome)
                .increment();
    }

    private static String records(Registration r) {
        return r.forward() && r.reverse() ? "A, DHCID, PTR" : r.forward() ? "A, DHCID" : r.reverse() ? "PTR" : "none";
    }
}

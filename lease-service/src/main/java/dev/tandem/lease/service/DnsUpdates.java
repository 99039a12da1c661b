package dev.tandem.lease.service;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.domain.DnsPlan;
import dev.tandem.lease.domain.DnsPlan.Registration;
import dev.tandem.lease.repository.DnsNameRepository;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ScopeConfig.DdnsConfig;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.Optional;

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

    /** Applies one event of the shared topic; another server's event, or one of a scope without DNS, does nothing. */
    public Uni<Void> apply(LeaseEvent event) {
        if (event == null || !server.equals(event.server()) || event.address() == null) {
            return Uni.createFrom().voidItem();
        }
        Optional<DdnsConfig> ddns =
                config.current().flatMap(s -> s.scope(event.scope())).map(ScopeConfig::ddns);
        if (ddns.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        DdnsConfig d = ddns.get();
        Ipv4 address = Ipv4.parse(event.address());
        return names.find(address)
                .flatMap(registered ->
                        names.holder(address).map(now -> DnsPlan.of(event, d.reverseZone() != null, registered, now)))
                .flatMap(plan -> remove(d, plan.remove()).flatMap(x -> add(d, plan.add())));
    }

    private Uni<Void> remove(DdnsConfig d, Registration r) {
        if (r == null) {
            return Uni.createFrom().voidItem();
        }
        return registrar
                .unregister(d, r)
                .flatMap(x -> names.delete(r.address()))
                .invoke(() -> {
                    count("remove", "done");
                    Log.infof(
                            "Removed DNS records of %s for %s: %s (%s)",
                            r.address(), r.clientKey(), r.fqdn(), records(r));
                });
    }

    private Uni<Void> add(DdnsConfig d, Registration r) {
        if (r == null) {
            return Uni.createFrom().voidItem();
        }
        return registrar.register(d, r).flatMap(outcome -> {
            if (outcome == DnsRegistrar.Outcome.CONFLICT) {
                count("add", "conflict");
                Log.warnf(
                        "Forward map from %s to %s not added: the name has a DHCID record of another client"
                                + " (RFC 4703), left as it is",
                        r.fqdn(), r.address());
                return names.delete(r.address());
            }
            count("add", "done");
            Log.infof("Added DNS records of %s for %s: %s (%s)", r.address(), r.clientKey(), r.fqdn(), records(r));
            return names.save(r, clock.instant());
        });
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

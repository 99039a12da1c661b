package dev.tandem.lease.service;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.config.TsigKeys;
import dev.tandem.lease.domain.Dhcid;
import dev.tandem.lease.domain.DnsPlan.Registration;
import dev.tandem.protocol.config.ScopeConfig.DdnsConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DHCIDRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * Puts a client's A, DHCID and PTR records into DNS and takes them out, by RFC 2136 updates signed with the scope's
 * TSIG key, following RFC 4703's conflict rules for the forward name:
 *
 * <ol>
 *   <li>add A and DHCID if the name is not in use;
 *   <li>else replace A if the name's DHCID is this client's (the client's earlier lease, perhaps given by the partner);
 *   <li>else leave the name alone: another client holds it (a conflict, counted and logged, not retried).
 * </ol>
 *
 * A removal deletes A and DHCID only while the DHCID is the client's, and the PTR only while it points at the name.
 * The PTR record is replaced without a conflict check (RFC 4703 §5.4). A failure (timeout, SERVFAIL, REFUSED, a bad
 * key) is an exception, for the caller to retry.
 */
@ApplicationScoped
public class DnsRegistrar {

    /** How a registration ended. */
    public enum Outcome {
        DONE,
        CONFLICT
    }

    private final LeaseServiceConfig.Ddns config;
    private volatile TsigKeys keys = TsigKeys.none();

    public DnsRegistrar(LeaseServiceConfig config) {
        this.config = config.ddns();
    }

    /** Reads the key file at start: a file that cannot be used stops the service with the reason. */
    void onStart(@Observes StartupEvent event) {
        if (config.enabled() && config.keyFile().isPresent()) {
            keys = TsigKeys.read(Path.of(config.keyFile().get()));
            Log.infof(
                    "Dynamic DNS on: %d TSIG key(s) from %s",
                    keys.size(), config.keyFile().get());
        } else if (config.enabled()) {
            Log.info("Dynamic DNS on, without TSIG keys: only scopes without a key can update");
        }
    }

    /** Sets the keys (tests). */
    void use(TsigKeys keys) {
        this.keys = keys;
    }

    public Uni<Outcome> register(DdnsConfig ddns, Registration r) {
        Uni<Outcome> forward = Uni.createFrom().item(Outcome.DONE);
        if (r.forward() && ddns.forwardZone() != null) {
            forward = addForward(ddns, r);
        }
        return forward.flatMap(outcome -> outcome == Outcome.CONFLICT || !reverse(ddns, r)
                ? Uni.createFrom().item(outcome)
                : addReverse(ddns, r).replaceWith(outcome));
    }

    public Uni<Void> unregister(DdnsConfig ddns, Registration r) {
        Uni<Void> forward = Uni.createFrom().voidItem();
        if (r.forward() && ddns.forwardZone() != null) {
            forward = removeForward(ddns, r);
        }
        return forward.flatMap(x ->
                reverse(ddns, r) ? removeReverse(ddns, r) : Uni.createFrom().voidItem());
    }

    private Uni<Outcome> addForward(DdnsConfig ddns, Registration r) {
        Name name = name(r.fqdn());
        Name zone = name(ddns.forwardZone());
        DHCIDRecord dhcid = new DHCIDRecord(name, DClass.IN, ddns.ttl(), Dhcid.of(r.clientKey(), r.fqdn()));
        ARecord a = new ARecord(name, DClass.IN, ddns.ttl(), r.address().toInetAddress());
        Update add = new Update(zone);
        add.absent(name);
        add.add(a);
        add.add(dhcid);
        return send(ddns, add, "add " + r.fqdn()).flatMap(rcode -> {
            if (rcode == Rcode.NOERROR) {
                return Uni.createFrom().item(Outcome.DONE);
            }
            if (rcode != Rcode.YXDOMAIN) {
                return failed("add " + r.fqdn(), rcode);
            }
            Update replace = new Update(zone);
            replace.present(new DHCIDRecord(name, DClass.IN, 0, dhcid.getData()));
            replace.delete(name, Type.A);
            replace.add(a);
            return send(ddns, replace, "replace " + r.fqdn()).flatMap(second -> {
                if (second == Rcode.NOERROR) {
                    return Uni.createFrom().item(Outcome.DONE);
                }
                if (second == Rcode.NXRRSET) {
                    return Uni.createFrom().item(Outcome.CONFLICT);
                }
                return failed("replace " + r.fqdn(), second);
            });
        });
    }

    private Uni<Void> removeForward(DdnsConfig ddns, Registration r) {
        Name name = name(r.fqdn());
        Update remove = new Update(name(ddns.forwardZone()));
        remove.present(new DHCIDRecord(name, DClass.IN, 0, Dhcid.of(r.clientKey(), r.fqdn())));
        remove.delete(name, Type.A);
        remove.delete(name, Type.DHCID);
        return send(ddns, remove, "remove " + r.fqdn()).flatMap(rcode -> gone(rcode, "remove " + r.fqdn()));
    }

    private Uni<Void> addReverse(DdnsConfig ddns, Registration r) {
        Name ptr = ReverseMap.fromAddress(r.address().toInetAddress());
        Update update = new Update(name(ddns.reverseZone()));
        update.delete(ptr, Type.PTR);
        update.add(new PTRRecord(ptr, DClass.IN, ddns.ttl(), name(r.fqdn())));
        return send(ddns, update, "add PTR " + ptr)
                .flatMap(rcode ->
                        rcode == Rcode.NOERROR ? Uni.createFrom().voidItem() : failed("add PTR " + ptr, rcode));
    }

    private Uni<Void> removeReverse(DdnsConfig ddns, Registration r) {
        Name ptr = ReverseMap.fromAddress(r.address().toInetAddress());
        Update update = new Update(name(ddns.reverseZone()));
        update.present(new PTRRecord(ptr, DClass.IN, 0, name(r.fqdn())));
        update.delete(ptr, Type.PTR);
        return send(ddns, update, "remove PTR " + ptr).flatMap(rcode -> gone(rcode, "remove PTR " + ptr));
    }

    /** Whether the registration's PTR record is ours to write: a reverse zone that holds the address. */
    private static boolean reverse(DdnsConfig ddns, Registration r) {
        return r.reverse()
                && ddns.reverseZone() != null
                && ReverseMap.fromAddress(r.address().toInetAddress()).subdomain(name(ddns.reverseZone()));
    }

    /** A removal is done when it removed the records or there was nothing of the client's left to remove. */
    private static Uni<Void> gone(int rcode, String what) {
        return rcode == Rcode.NOERROR || rcode == Rcode.NXRRSET || rcode == Rcode.NXDOMAIN
                ? Uni.createFrom().voidItem()
                : failed(what, rcode);
    }

    private static <T> Uni<T> failed(String what, int rcode) {
        return Uni.createFrom()
                .failure(new DnsUpdateException(what + ": the name server answered " + Rcode.string(rcode)));
    }

    /** Sends the update and gives the answer's RCODE; a signed update must get a signed answer. */
    private Uni<Integer> send(DdnsConfig ddns, Update update, String what) {
        SimpleResolver resolver =
                new SimpleResolver(new InetSocketAddress(ddns.server().toInetAddress(), ddns.port()));
        resolver.setTimeout(config.timeout());
        boolean signed = ddns.key() != null;
        if (signed) {
            TsigKeys.Key key = keys.get(ddns.key())
                    .orElseThrow(() ->
                            new DnsUpdateException(what + ": no TSIG key " + ddns.key() + " in tandem.ddns.key-file"));
            resolver.setTSIGKey(new TSIG(TSIG.algorithmToName(key.algorithm()), name(key.name()), key.secret()));
        }
        return Uni.createFrom()
                .completionStage(() -> resolver.sendAsync(update))
                .onFailure(e -> !(e instanceof DnsUpdateException))
                .transform(e -> new DnsUpdateException(
                        what + ": no answer from " + ddns.server() + ":" + ddns.port() + " (" + e + ")"))
                .map(answer -> {
                    if (signed && answer.getRcode() != Rcode.NOTAUTH && !answer.isVerified()) {
                        throw new DnsUpdateException(what + ": the answer is not signed with key " + ddns.key());
                    }
                    return answer.getRcode();
                });
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text);
        } catch (IOException e) {
            throw new DnsUpdateException("not a DNS name: " + text);
        }
    }

    /** An update that did not reach its end and is to be tried again. */
    public static final class DnsUpdateException extends RuntimeException {
        public DnsUpdateException(String message) {
            super(message);
        }
    }
}

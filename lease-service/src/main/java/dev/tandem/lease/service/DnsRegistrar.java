package dev.tandem.lease.service;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.config.TsigKeys;
import dev.tandem.lease.domain.Dhcid;
import dev.tandem.lease.domain.DnsPlan.Registration;
import dev.tandem.lease.domain.DnsPlan.Target;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
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
 * A removal deletes the address's A record only while the DHCID is the client's, the DHCID once no A record is left,
 * and the PTR only while it points at the name. The PTR record is replaced without a conflict check (RFC 4703 §5.4).
 * A failure is a {@link DnsUpdateException} saying whether trying again can help.
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

    public Uni<Outcome> register(Registration r, long ttl) {
        Target t = r.target();
        Uni<Outcome> forward = Uni.createFrom().item(Outcome.DONE);
        if (r.forward() && t.forwardZone() != null) {
            forward = addForward(r, ttl);
        }
        return forward.flatMap(outcome -> outcome == Outcome.CONFLICT || !reverse(r)
                ? Uni.createFrom().item(outcome)
                : addReverse(r, ttl).replaceWith(outcome));
    }

    public Uni<Void> unregister(Registration r) {
        Uni<Void> forward = Uni.createFrom().voidItem();
        if (r.forward() && r.target().forwardZone() != null) {
            forward = removeForward(r);
        }
        return forward.flatMap(
                x -> reverse(r) ? removeReverse(r) : Uni.createFrom().voidItem());
    }

    private Uni<Outcome> addForward(Registration r, long ttl) {
        Name name = name(r.fqdn());
        Name zone = name(r.target().forwardZone());
        DHCIDRecord dhcid = new DHCIDRecord(name, DClass.IN, ttl, Dhcid.of(r.clientKey(), r.fqdn()));
        ARecord a = new ARecord(name, DClass.IN, ttl, r.address().toInetAddress());
        Update add = new Update(zone);
        add.absent(name);
        add.add(a);
        add.add(dhcid);
        String what = "add " + r.fqdn();
        return send(r.target(), add, what).flatMap(rcode -> {
            if (rcode == Rcode.NOERROR) {
                return Uni.createFrom().item(Outcome.DONE);
            }
            if (rcode != Rcode.YXDOMAIN) {
                return failed(what, rcode);
            }
            // the name is in use: this client's (its DHCID) gets its new address, anyone else's is left alone
            Update replace = new Update(zone);
            replace.present(new DHCIDRecord(name, DClass.IN, 0, dhcid.getData()));
            replace.delete(name, Type.A);
            replace.add(a);
            return send(r.target(), replace, "replace " + r.fqdn()).flatMap(second -> {
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

    /**
     * RFC 4703 §5.5: while the DHCID is the client's, its A record for this address goes (not the A record of an address
     * it holds now, the events of two addresses being in no fixed order); then the DHCID, once the name has no A record.
     */
    private Uni<Void> removeForward(Registration r) {
        Name name = name(r.fqdn());
        Name zone = name(r.target().forwardZone());
        DHCIDRecord dhcid = new DHCIDRecord(name, DClass.IN, 0, Dhcid.of(r.clientKey(), r.fqdn()));
        Update address = new Update(zone);
        address.present(dhcid);
        address.delete(new ARecord(name, DClass.IN, 0, r.address().toInetAddress()));
        Update last = new Update(zone);
        last.present(dhcid);
        last.absent(name, Type.A);
        last.delete(name, Type.DHCID);
        String what = "remove " + r.fqdn() + " " + r.address();
        return send(r.target(), address, what)
                .flatMap(rcode -> gone(rcode, what))
                .flatMap(x -> send(r.target(), last, "remove DHCID of " + r.fqdn()))
                .flatMap(rcode -> rcode == Rcode.YXRRSET
                        ? Uni.createFrom().voidItem() // the client has another address under the name
                        : gone(rcode, "remove DHCID of " + r.fqdn()));
    }

    private Uni<Void> addReverse(Registration r, long ttl) {
        Name ptr = ReverseMap.fromAddress(r.address().toInetAddress());
        Update update = new Update(name(r.target().reverseZone()));
        update.delete(ptr, Type.PTR);
        update.add(new PTRRecord(ptr, DClass.IN, ttl, name(r.fqdn())));
        return send(r.target(), update, "add PTR " + ptr)
                .flatMap(rcode ->
                        rcode == Rcode.NOERROR ? Uni.createFrom().voidItem() : failed("add PTR " + ptr, rcode));
    }

    private Uni<Void> removeReverse(Registration r) {
        Name ptr = ReverseMap.fromAddress(r.address().toInetAddress());
        Update update = new Update(name(r.target().reverseZone()));
        update.present(new PTRRecord(ptr, DClass.IN, 0, name(r.fqdn())));
        update.delete(ptr, Type.PTR);
        return send(r.target(), update, "remove PTR " + ptr).flatMap(rcode -> gone(rcode, "remove PTR " + ptr));
    }

    /** Whether the registration's PTR record is ours to write: a reverse zone that holds the address. */
    private static boolean reverse(Registration r) {
        return r.reverse()
                && ReverseMap.fromAddress(r.address().toInetAddress())
                        .subdomain(name(r.target().reverseZone()));
    }

    /** A removal is done when it removed the records or there was nothing of the client's left to remove. */
    private static Uni<Void> gone(int rcode, String what) {
        return rcode == Rcode.NOERROR || rcode == Rcode.NXRRSET || rcode == Rcode.NXDOMAIN
                ? Uni.createFrom().voidItem()
                : failed(what, rcode);
    }

    /**
     * An answer other than the ones expected. SERVFAIL is the name server's passing trouble: tried again. REFUSED,
     * NOTAUTH, NOTZONE, FORMERR and NOTIMP say the update will never be taken as it is (the server's policy, the key, the
     * zone): not tried again.
     */
    private static <T> Uni<T> failed(String what, int rcode) {
        return Uni.createFrom()
                .failure(new DnsUpdateException(
                        what + ": the name server answered " + Rcode.string(rcode), rcode != Rcode.SERVFAIL));
    }

    /** Sends the update and gives the answer's RCODE; a signed update must get a signed answer. */
    private Uni<Integer> send(Target target, Update update, String what) {
        SimpleResolver resolver =
                new SimpleResolver(new InetSocketAddress(target.server().toInetAddress(), target.port()));
        resolver.setTimeout(config.timeout());
        boolean signed = target.key() != null;
        if (signed) {
            Optional<TsigKeys.Key> key = keys.get(target.key());
            if (key.isEmpty()) {
                return Uni.createFrom()
                        .failure(new DnsUpdateException(
                                what + ": no TSIG key " + target.key() + " in tandem.ddns.key-file", true));
            }
            resolver.setTSIGKey(new TSIG(
                    TSIG.algorithmToName(key.get().algorithm()),
                    name(key.get().name()),
                    key.get().secret()));
        }
        return Uni.createFrom()
                .completionStage(() -> resolver.sendAsync(update))
                .onFailure(e -> !(e instanceof DnsUpdateException))
                .transform(e -> new DnsUpdateException(
                        what + ": no answer from " + target.server() + ":" + target.port() + " (" + e + ")", false))
                .map(answer -> {
                    if (signed && answer.getRcode() != Rcode.NOTAUTH && !answer.isVerified()) {
                        throw new DnsUpdateException(
                                what + ": the answer is not signed with key " + target.key(), false);
                    }
                    return answer.getRcode();
                });
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text);
        } catch (IOException e) {
            throw new DnsUpdateException("not a DNS name: " + text, true);
        }
    }

    /**
     * An update that did not reach its end: {@code permanent} when trying again cannot help (refused by the name server,
     * a missing key), else (no answer, SERVFAIL) to be tried again.
     */
    public static final class DnsUpdateException extends RuntimeException {
        private final boolean permanent;

        public DnsUpdateException(String message, boolean permanent) {
            super(message);
            this.permanent = permanent;
        }

        public boolean permanent() {
            return permanent;
        }
    }
}

package dev.tandem.lease.domain;

import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.config.ScopeConfig.DdnsConfig;
import dev.tandem.protocol.net.Ipv4;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What one of this server's lease events changes in DNS, given the name this server registered for the address and
 * the address's row in the lease table now (which may be newer than the event). The rules (docs/ddns.md):
 *
 * <ul>
 *   <li>Only the server that binds a client registers its name (a committed or renewed event with a name, while the
 *       table still shows that binding); a partner's binding update never registers, so in a pair one server updates
 *       a given name per change.
 *   <li>The server that registered a name removes it once the table no longer shows the address ACTIVE for that
 *       client, whichever event tells it: released, declined, expired or reclaimed here, a partner's update, or the
 *       address bound to another client.
 *   <li>Binding the client again under the same name sends nothing, except once a lease time after the name was last
 *       registered (the partner may have removed it meanwhile); under another name, or other settings, it removes the
 *       old one first. A
 *       binding without a name leaves the same client's records alone (a client may send its name only once).
 * </ul>
 *
 * @param remove the registration to take out of DNS (and out of {@code dns_name}); null: none
 * @param add the registration to put into DNS; null: none
 */
public record DnsPlan(Registration remove, Registration add) {

    public static final DnsPlan NOTHING = new DnsPlan(null, null);

    /** Where a name is registered: the zones, their name server and the TSIG key (null: unsigned). */
    public record Target(String forwardZone, String reverseZone, Ipv4 server, int port, String key) {
        public static Target of(DdnsConfig d) {
            return new Target(d.forwardZone(), d.reverseZone(), d.server(), d.port(), d.key());
        }
    }

    /** A name registered for the client of an address; {@code forward}: the A and DHCID records too, not only PTR. */
    public record Registration(Ipv4 address, String clientKey, String fqdn, boolean forward, Target target) {
        public boolean reverse() {
            return target.reverseZone() != null;
        }

        /** The same records at another name server or with another key. */
        public Registration at(Target other) {
            return new Registration(address, clientKey, fqdn, forward, other);
        }
    }

    /** A registration as {@code dns_name} keeps it, with when it was last made. */
    public record Stored(Registration registration, Instant at) {}

    /** The state of an address's lease row now, and its client. */
    public record Holder(String state, String clientKey) {}

    public boolean isEmpty() {
        return remove == null && add == null;
    }

    /**
     * @param current the scope's dynamic DNS settings now; null: none (nothing is registered, an earlier registration
     *     is still removed where it was made)
     */
    public static DnsPlan of(LeaseEvent event, DdnsConfig current, Optional<Stored> registered, Optional<Holder> now) {
        Ipv4 address = Ipv4.parse(event.address());
        Optional<Registration> held = registered.map(Stored::registration);
        boolean bound = "committed".equals(event.type()) || "renewed".equals(event.type());
        if (bound && activeFor(now, event.clientKey())) {
            if (event.fqdn() != null && current != null) {
                Registration want = new Registration(
                        address,
                        event.clientKey(),
                        event.fqdn(),
                        Boolean.TRUE.equals(event.dnsForward()),
                        Target.of(current));
                if (held.isPresent() && held.get().equals(want)) {
                    return due(event, registered.get().at()) ? new DnsPlan(null, want) : NOTHING;
                }
                return new DnsPlan(held.orElse(null), want);
            }
            return held.filter(r -> !r.clientKey().equals(event.clientKey()))
                    .map(r -> new DnsPlan(r, null))
                    .orElse(NOTHING);
        }
        return held.filter(r -> !activeFor(now, r.clientKey()))
                .map(r -> new DnsPlan(r, null))
                .orElse(NOTHING);
    }

    private static boolean activeFor(Optional<Holder> now, String clientKey) {
        return now.filter(h -> "ACTIVE".equals(h.state()) && clientKey.equals(h.clientKey()))
                .isPresent();
    }

    /** A binding a lease time or more after the name was last registered: registered again, as a check. */
    private static boolean due(LeaseEvent event, Instant registeredAt) {
        if (event.expiresAt() == null || event.at() == null) {
            return false;
        }
        Duration lease = Duration.between(event.at(), event.expiresAt());
        return !registeredAt.plus(lease).isAfter(event.at());
    }
}

package dev.tandem.lease.domain;

import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.net.Ipv4;
import java.util.Optional;

/**
 * What one of this server's lease events changes in DNS, given the name this server registered for the address and
 * the address's row now. The rules (docs/ddns.md):
 *
 * <ul>
 *   <li>Only the server that binds a client registers its name (a committed or renewed event with a name; a
 *       partner's binding update never registers), so in a pair one server updates a given name per change.
 *   <li>The server that registered a name removes it when the binding ends, whichever server saw the end: released,
 *       declined, expired or reclaimed here, or a partner's update that ends it or gives the address to another
 *       client.
 *   <li>An end that the table has already overtaken (the address is again ACTIVE for the same client) removes nothing.
 *   <li>A renewal under the same name sends nothing; under another name it removes the old one first.
 * </ul>
 *
 * @param remove the registration to take out of DNS (and out of {@code dns_name}); null: none
 * @param add the registration to put into DNS; null: none
 */
public record DnsPlan(Registration remove, Registration add) {

    static final DnsPlan NOTHING = new DnsPlan(null, null);

    /** A name registered for the client of an address; {@code forward}: the A record too, not only the PTR. */
    public record Registration(Ipv4 address, String clientKey, String fqdn, boolean forward, boolean reverse) {}

    /** The state of an address's lease row now, and its client. */
    public record Holder(String state, String clientKey) {}

    public boolean isEmpty() {
        return remove == null && add == null;
    }

    public static DnsPlan of(
            LeaseEvent event, boolean reverseZone, Optional<Registration> registered, Optional<Holder> now) {
        Ipv4 address = Ipv4.parse(event.address());
        boolean bound = "committed".equals(event.type()) || "renewed".equals(event.type());
        if (bound && event.fqdn() != null) {
            Registration want = new Registration(
                    address, event.clientKey(), event.fqdn(), Boolean.TRUE.equals(event.dnsForward()), reverseZone);
            if (registered.isPresent() && registered.get().equals(want)) {
                return NOTHING;
            }
            return new DnsPlan(registered.orElse(null), want);
        }
        if (registered.isEmpty()) {
            return NOTHING;
        }
        Registration held = registered.get();
        if (bound) {
            return new DnsPlan(held, null); // bound again here without a name, or to another client
        }
        boolean activeForSame;
        if ("partner-update".equals(event.type())) {
            activeForSame = "ACTIVE".equals(event.state()) && held.clientKey().equals(event.clientKey());
        } else {
            activeForSame = now.filter(
                            h -> "ACTIVE".equals(h.state()) && held.clientKey().equals(h.clientKey()))
                    .isPresent();
        }
        return activeForSame ? NOTHING : new DnsPlan(held, null);
    }
}

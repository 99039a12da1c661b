package dev.tandem.lease.domain;

import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ScopeConfig.DdnsConfig;
import dev.tandem.protocol.config.ScopeConfig.ReservationConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which DNS records this server registers for a client it binds, and the client FQDN option (81) it answers with
 * (RFC 4702 §3–4, as ISC dhcpd and Kea decide):
 *
 * <table>
 * <caption>The client's flags against the scope's policy</caption>
 * <tr><th>client sends</th><th>server updates</th><th>answer flags</th></tr>
 * <tr><td>option 81, S=1</td><td>A and PTR</td><td>S</td></tr>
 * <tr><td>option 81, S=0</td><td>PTR (the client updates A)</td><td>none</td></tr>
 * <tr><td>option 81, S=0, overrideClientUpdate</td><td>A and PTR</td><td>S, O</td></tr>
 * <tr><td>option 81, N=1</td><td>nothing</td><td>N</td></tr>
 * <tr><td>option 81, N=1, overrideNoUpdate</td><td>A and PTR</td><td>S, O</td></tr>
 * <tr><td>host name (12) only, or a reservation's host name</td><td>A and PTR</td><td>no option 81</td></tr>
 * <tr><td>a name outside the forward zone</td><td>nothing</td><td>N</td></tr>
 * <tr><td>S=1 to a scope with a reverse zone only</td><td>PTR</td><td>O</td></tr>
 * </table>
 *
 * <p>The name: a reservation's host name first, then option 81's name, then option 12's; a partial name gets the
 * scope's qualifying suffix. Characters other than letters, digits and hyphens are dropped from each label (Kea's
 * default). A name outside the forward zone gets no record at all, not even a PTR (a client could otherwise point its
 * address at any name).
 *
 * @param fqdn absolute, lower case
 * @param forward this server updates the A record
 * @param reverse this server updates the PTR record
 * @param answer option 81 for the reply; null when the client sent none
 */
public record DnsIntent(String fqdn, boolean forward, boolean reverse, byte[] answer) {

    static final int S = 0x01;
    static final int O = 0x02;
    static final int E = 0x04;
    static final int N = 0x08;

    /** The decision for a request in a scope; empty when the scope has no dynamic DNS or the client no usable name. */
    public static Optional<DnsIntent> of(ScopeConfig scope, LeaseRequest request) {
        DdnsConfig ddns = scope.ddns();
        if (ddns == null) {
            return Optional.empty();
        }
        byte[] option = request.clientFqdn() == null ? null : HexFormat.of().parseHex(request.clientFqdn());
        if (option != null && option.length < 3) {
            option = null;
        }
        String reserved = scope.reservationFor(request.clientId(), request.hardwareAddress())
                .map(ReservationConfig::hostname)
                .orElse(null);
        String name = qualify(reserved, ddns);
        if (name == null && option != null) {
            name = qualify(optionName(option), ddns);
        }
        if (name == null) {
            name = qualify(request.hostname(), ddns);
        }
        if (name == null) {
            return Optional.empty();
        }
        boolean forward;
        boolean reverse;
        int asked = option == null ? S : option[0] & 0xff;
        if ((asked & N) != 0 && !ddns.overrideNoUpdate()) {
            forward = false;
            reverse = false;
        } else {
            forward = (asked & N) != 0 || (asked & S) != 0 || ddns.overrideClientUpdate();
            reverse = true;
        }
        if (ddns.forwardZone() != null && !inside(name, ddns.forwardZone())) {
            // a name outside the zone is not this server's to publish, not even in a PTR record
            forward = false;
            reverse = false;
        }
        forward &= ddns.forwardZone() != null;
        reverse &= ddns.reverseZone() != null;
        // RFC 4702 §4: S says whether the server updates A, O that this differs from what the client asked, N that the
        // server updates nothing
        int flags = forward || reverse ? (forward ? S : 0) | ((forward ? S : 0) != (asked & S) ? O : 0) : N;
        flags |= asked & E;
        byte[] answer = option == null ? null : answer(flags, name);
        return Optional.of(new DnsIntent(name, forward, reverse, answer));
    }

    /** Whether the server changes any record. */
    public boolean updates() {
        return forward || reverse;
    }

    static boolean inside(String fqdn, String zone) {
        return fqdn.equals(zone) || fqdn.endsWith("." + zone);
    }

    /** Option 81's name as text; a trailing dot when the client sent it fully qualified. */
    static String optionName(byte[] option) {
        if ((option[0] & E) == 0) {
            return new String(option, 3, option.length - 3, StandardCharsets.US_ASCII);
        }
        StringBuilder out = new StringBuilder();
        int at = 3;
        while (at < option.length) {
            int length = option[at] & 0xff;
            if (length == 0) {
                return out.append('.').toString();
            }
            if (length > 63 || at + 1 + length > option.length) {
                return null;
            }
            if (out.length() > 0) {
                out.append('.');
            }
            out.append(new String(option, at + 1, length, StandardCharsets.US_ASCII));
            at += 1 + length;
        }
        return out.toString();
    }

    /** An absolute, cleaned name, or null when nothing usable is left. */
    static String qualify(String text, DdnsConfig ddns) {
        if (text == null) {
            return null;
        }
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        boolean absolute = trimmed.endsWith(".");
        List<String> labels = new ArrayList<>();
        for (String label : trimmed.split("\\.")) {
            String clean = label.replaceAll("[^a-z0-9-]", "");
            clean = clean.replaceAll("^-+|-+$", "");
            if (clean.length() > 63) {
                return null;
            }
            if (!clean.isEmpty()) {
                labels.add(clean);
            }
        }
        if (labels.isEmpty()) {
            return null;
        }
        String name = String.join(".", labels) + ".";
        if (!absolute) {
            if (ddns.qualifyingSuffix() == null) {
                return null;
            }
            name = name + ddns.qualifyingSuffix();
        }
        return name.length() > 254 ? null : name;
    }

    /** Option 81 of the reply: flags, RCODE1 and RCODE2 255 (RFC 4702 §4), the name in the client's encoding. */
    static byte[] answer(int flags, String fqdn) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(flags);
        out.write(255);
        out.write(255);
        if ((flags & E) != 0) {
            out.writeBytes(Dhcid.wire(fqdn));
        } else {
            out.writeBytes(fqdn.getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }
}

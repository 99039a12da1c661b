package dev.tandem.protocol.config;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Range;
import dev.tandem.protocol.bus.ServerConfig.Relationship;
import dev.tandem.protocol.bus.ServerConfig.Reservation;
import dev.tandem.protocol.bus.ServerConfig.Scope;
import dev.tandem.protocol.config.ScopeConfig.AddressRange;
import dev.tandem.protocol.config.ScopeConfig.DdnsConfig;
import dev.tandem.protocol.config.ScopeConfig.ReservationConfig;
import dev.tandem.protocol.dhcp.DhcpOption;
import dev.tandem.protocol.dhcp.OptionType;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.protocol.net.Subnet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@link ServerConfig} completely and turns it into {@link ServerSettings}, or refuses it with every problem
 * found. Nothing is applied from a refused configuration.
 */
public final class ConfigValidator {

    /** Addresses one server may hold in its pools: beyond this a typo (a /8 for a /24) would flood the database. */
    public static final long MAX_POOL_ADDRESSES = 1L << 20;

    public static final long MIN_LEASE_TIME = 60;
    public static final long MAX_LEASE_TIME = 365L * 24 * 3600;

    private static final Pattern SERVER_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern DNS_NAME =
            Pattern.compile("([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");

    /** Options the server sets itself; configuring them would contradict the lease decision. */
    private static final Set<Integer> SERVER_CONTROLLED = Set.of(50, 51, 52, 53, 54, 55, 57, 58, 59, 61, 81, 82);

    private ConfigValidator() {}

    public static ServerSettings validate(ServerConfig config) {
        List<String> problems = new ArrayList<>();
        if (config == null) {
            throw new InvalidConfigException(List.of("configuration is empty"));
        }
        if (config.version() != ServerConfig.VERSION) {
            problems.add("version " + config.version() + " is not supported (expected " + ServerConfig.VERSION + ")");
        }
        if (config.server() == null || !SERVER_NAME.matcher(config.server()).matches()) {
            problems.add("server name '" + config.server() + "' must be 1-63 lower-case letters, digits or '-'");
        }
        if (config.revision() < 0) {
            problems.add("revision must not be negative");
        }
        Ipv4 serverId = address(config.serverIdentifier(), "serverIdentifier", problems);
        if (config.offerTimeout() < 1 || config.offerTimeout() > 3600) {
            problems.add("offerTimeout " + config.offerTimeout() + " s must be 1..3600");
        }
        if (config.declineProbation() < 0 || config.declineProbation() > 30L * 24 * 3600) {
            problems.add("declineProbation " + config.declineProbation() + " s must be 0..2592000 (30 days)");
        }

        List<ScopeConfig> scopes = new ArrayList<>();
        List<Scope> input = config.scopes() == null ? List.of() : config.scopes();
        for (int i = 0; i < input.size(); i++) {
            ScopeConfig scope = scope(input.get(i), "scopes[" + i + "]", problems);
            if (scope != null) {
                for (ScopeConfig other : scopes) {
                    if (other.subnet().overlaps(scope.subnet())) {
                        problems.add("scope " + scope.id() + " overlaps scope " + other.id());
                    }
                }
                scopes.add(scope);
            }
        }
        long total = scopes.stream().mapToLong(ScopeConfig::poolSize).sum();
        if (total > MAX_POOL_ADDRESSES) {
            problems.add("pools hold " + total + " addresses, more than the " + MAX_POOL_ADDRESSES + " allowed");
        }
        List<RelationshipConfig> relationships = relationships(config.failover(), scopes, problems);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new ServerSettings(
                config.server(),
                config.revision(),
                serverId,
                Duration.ofSeconds(config.offerTimeout()),
                Duration.ofSeconds(config.declineProbation()),
                List.copyOf(scopes),
                relationships);
    }

    /** MCLT above this is a typo, not a choice: a month. */
    public static final long MAX_MCLT = 30L * 24 * 3600;

    private static List<RelationshipConfig> relationships(
            List<Relationship> input, List<ScopeConfig> scopes, List<String> problems) {
        List<RelationshipConfig> out = new ArrayList<>();
        if (input == null) {
            return out;
        }
        Set<String> names = new HashSet<>();
        Map<String, String> scopeOwner = new HashMap<>();
        for (int i = 0; i < input.size(); i++) {
            Relationship r = input.get(i);
            if (r == null) {
                problems.add("failover[" + i + "] is empty");
                continue;
            }
            String at = "failover relationship '" + r.name() + "'";
            int before = problems.size();
            if (r.name() == null || r.name().isBlank() || r.name().length() > 126) {
                problems.add("failover[" + i + "]: name must be 1..126 characters");
            } else if (!names.add(r.name())) {
                problems.add(at + ": name used twice");
            }
            RelationshipConfig.Role role = enumOf(RelationshipConfig.Role.class, r.role(), at + " role", problems);
            RelationshipConfig.Mode mode = r.mode() == null
                    ? RelationshipConfig.Mode.LOAD_BALANCE
                    : enumOf(RelationshipConfig.Mode.class, r.mode(), at + " mode", problems);
            Ipv4 local = address(r.localAddress(), at + " localAddress", problems);
            Ipv4 peer = address(r.peerAddress(), at + " peerAddress", problems);
            int port = orDefault(r.port(), RelationshipConfig.DEFAULT_PORT);
            int peerPort = orDefault(r.peerPort(), RelationshipConfig.DEFAULT_PORT);
            for (int p : new int[] {port, peerPort}) {
                if (p < 1 || p > 65535) {
                    problems.add(at + ": port " + p + " must be 1..65535");
                }
            }
            if (local != null && local.equals(peer) && port == peerPort) {
                problems.add(at + ": the partner's address and port are this server's own");
            }
            long mclt = r.mclt() == null ? RelationshipConfig.DEFAULT_MCLT : r.mclt();
            if (mclt < 1 || mclt > MAX_MCLT) {
                problems.add(at + ": mclt " + mclt + " s must be 1.." + MAX_MCLT);
            }
            int percent = mode == RelationshipConfig.Mode.HOT_STANDBY
                    ? orDefault(r.reservePercent(), RelationshipConfig.DEFAULT_RESERVE_PERCENT)
                    : orDefault(r.loadBalancePercent(), RelationshipConfig.DEFAULT_LOAD_BALANCE_PERCENT);
            if (percent < 0 || percent > 100) {
                problems.add(at + ": percentage " + percent + " must be 0..100");
            }
            long safe = r.safePeriod() == null ? 0 : r.safePeriod();
            if (safe < 0) {
                problems.add(at + ": safePeriod must not be negative");
            }
            long mrd =
                    r.maxResponseDelay() == null ? RelationshipConfig.DEFAULT_MAX_RESPONSE_DELAY : r.maxResponseDelay();
            if (mrd < 3 || mrd > 3600) {
                problems.add(at + ": maxResponseDelay " + mrd + " s must be 3..3600");
            }
            int unacked = orDefault(r.maxUnackedUpdates(), RelationshipConfig.DEFAULT_MAX_UNACKED_UPDATES);
            if (unacked < 1 || unacked > 1000) {
                problems.add(at + ": maxUnackedUpdates " + unacked + " must be 1..1000");
            }
            int lbMax = orDefault(r.loadBalanceMaxSeconds(), RelationshipConfig.DEFAULT_LOAD_BALANCE_MAX_SECONDS);
            if (lbMax < 0 || lbMax > 3600) {
                problems.add(at + ": loadBalanceMaxSeconds " + lbMax + " must be 0..3600");
            }
            if (r.sharedSecret() != null
                    && !SecretBox.isSealed(r.sharedSecret())
                    && r.sharedSecret().length() < 8) {
                problems.add(at + ": sharedSecret must have at least 8 characters");
            }
            List<String> ids = new ArrayList<>();
            for (String subnet : r.scopes() == null ? List.<String>of() : r.scopes()) {
                String id;
                try {
                    id = Subnet.parse(subnet).toString();
                } catch (IllegalArgumentException e) {
                    problems.add(at + ": scope '" + subnet + "': " + e.getMessage());
                    continue;
                }
                if (scopes.stream().noneMatch(s -> s.id().equals(id))) {
                    problems.add(at + ": scope " + id + " is not a scope of this server");
                }
                String owner = scopeOwner.putIfAbsent(id, String.valueOf(r.name()));
                if (owner != null) {
                    problems.add(at + ": scope " + id + " is already in relationship '" + owner + "'");
                }
                ids.add(id);
            }
            if (problems.size() == before) {
                out.add(new RelationshipConfig(
                        r.name(),
                        role,
                        mode,
                        local,
                        port,
                        peer,
                        peerPort,
                        Duration.ofSeconds(mclt),
                        percent,
                        Duration.ofSeconds(safe),
                        Duration.ofSeconds(mrd),
                        unacked,
                        lbMax,
                        r.sharedSecret(),
                        List.copyOf(ids),
                        Boolean.TRUE.equals(r.tls())));
            }
        }
        return List.copyOf(out);
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String text, String what, List<String> problems) {
        if (text != null) {
            String name = text.trim().toUpperCase().replace('-', '_');
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(name)) {
                    return e;
                }
            }
        }
        problems.add(what + ": '" + text + "' must be one of "
                + java.util.Arrays.stream(type.getEnumConstants())
                        .map(e -> e.name().toLowerCase().replace('_', '-'))
                        .toList());
        return null;
    }

    private static ScopeConfig scope(Scope s, String where, List<String> problems) {
        if (s == null) {
            problems.add(where + " is empty");
            return null;
        }
        Subnet subnet;
        try {
            subnet = Subnet.parse(s.subnet());
        } catch (IllegalArgumentException e) {
            problems.add(where + ".subnet: " + e.getMessage());
            return null;
        }
        String at = "scope " + subnet;
        int before = problems.size();
        if (subnet.prefixLength() < 8 || subnet.prefixLength() > 30) {
            problems.add(at + ": prefix length must be 8..30");
        }

        List<AddressRange> ranges = ranges(s.ranges(), subnet, at + " range", problems);
        if (ranges.isEmpty() && (s.ranges() == null || s.ranges().isEmpty())) {
            problems.add(at + ": needs at least one range");
        }
        checkDisjoint(ranges, at + " ranges", problems);
        List<AddressRange> exclusions = ranges(s.exclusions(), subnet, at + " exclusion", problems);

        long lease = s.leaseTime();
        if (lease < MIN_LEASE_TIME || lease > MAX_LEASE_TIME) {
            problems.add(at + ": leaseTime " + lease + " s must be " + MIN_LEASE_TIME + ".." + MAX_LEASE_TIME);
        }
        // RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease; T1 < T2 < lease.
        long t1 = s.renewalTime() != null ? s.renewalTime() : lease / 2;
        long t2 = s.rebindingTime() != null ? s.rebindingTime() : lease * 7 / 8;
        if (!(0 < t1 && t1 < t2 && t2 < lease)) {
            problems.add(at + ": times must satisfy 0 < renewalTime (" + t1 + ") < rebindingTime (" + t2
                    + ") < leaseTime (" + lease + ")");
        }

        Map<Integer, byte[]> options = options(s.options(), at, problems);
        List<ReservationConfig> reservations = reservations(s.reservations(), subnet, exclusions, at, problems);
        DdnsConfig ddns = ddns(s.ddns(), lease, at + " ddns", problems);
        if (problems.size() > before) {
            return null;
        }
        return new ScopeConfig(subnet, subtract(ranges, exclusions), lease, t1, t2, options, reservations, ddns);
    }

    /** Dynamic DNS settings; null when the scope has none. */
    private static DdnsConfig ddns(ServerConfig.Ddns d, long lease, String at, List<String> problems) {
        if (d == null) {
            return null;
        }
        String forward = dnsName(d.forwardZone(), at + ".forwardZone", problems);
        String reverse = dnsName(d.reverseZone(), at + ".reverseZone", problems);
        if (forward == null && reverse == null) {
            problems.add(at + ": needs a forwardZone, a reverseZone or both");
        }
        if (reverse != null && !reverse.endsWith(".in-addr.arpa.")) {
            problems.add(at + ".reverseZone: '" + d.reverseZone() + "' must be an in-addr.arpa zone");
        }
        Ipv4 server = null;
        try {
            server = Ipv4.parse(d.server());
        } catch (RuntimeException e) {
            problems.add(at + ".server: '" + d.server() + "' must be an IPv4 address");
        }
        int port = d.port() == null ? 53 : d.port();
        if (port < 1 || port > 65535) {
            problems.add(at + ".port: " + port + " must be 1..65535");
        }
        String key = d.key() == null ? null : dnsName(d.key(), at + ".key", problems);
        String suffix = d.qualifyingSuffix() == null
                ? forward
                : dnsName(d.qualifyingSuffix(), at + ".qualifyingSuffix", problems);
        long ttl = d.ttl() == null ? 0 : d.ttl();
        if (ttl < 0 || ttl > MAX_LEASE_TIME) {
            problems.add(at + ".ttl: " + ttl + " s must be 0.." + MAX_LEASE_TIME);
        }
        return new DdnsConfig(
                forward,
                reverse,
                server,
                port,
                key,
                suffix,
                Boolean.TRUE.equals(d.overrideClientUpdate()),
                Boolean.TRUE.equals(d.overrideNoUpdate()),
                ttl > 0 ? ttl : Math.max(60, lease / 3));
    }

    /** A DNS name (RFC 1035 §2.3.4 lengths; letters, digits, hyphen, underscore) as lower-case absolute text. */
    private static String dnsName(String text, String what, List<String> problems) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String name = text.trim().toLowerCase(java.util.Locale.ROOT);
        String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (bare.isEmpty() || bare.length() > 253 || !DNS_NAME.matcher(bare).matches()) {
            problems.add(what + ": '" + text + "' is not a DNS name");
            return null;
        }
        return bare + ".";
    }

    private static List<AddressRange> ranges(List<Range> input, Subnet subnet, String what, List<String> problems) {
        List<AddressRange> out = new ArrayList<>();
        if (input == null) {
            return out;
        }
        for (Range r : input) {
            if (r == null) {
                problems.add(what + " is empty");
                continue;
            }
            Ipv4 first = address(r.first(), what + " first", problems);
            Ipv4 last = r.last() == null ? first : address(r.last(), what + " last", problems);
            if (first == null || last == null) {
                continue;
            }
            String name = what + " " + first + "-" + last;
            if (first.compareTo(last) > 0) {
                problems.add(name + ": first is after last");
            } else if (!subnet.contains(first) || !subnet.contains(last)) {
                problems.add(name + ": outside the subnet " + subnet);
            } else if (first.equals(subnet.network()) || last.equals(subnet.broadcast())) {
                problems.add(name + ": includes the network or broadcast address of " + subnet);
            } else {
                out.add(new AddressRange(first, last));
            }
        }
        return out;
    }

    private static void checkDisjoint(List<AddressRange> ranges, String what, List<String> problems) {
        List<AddressRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparing(AddressRange::first));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).first().compareTo(sorted.get(i - 1).last()) <= 0) {
                problems.add(what + " " + sorted.get(i - 1) + " and " + sorted.get(i) + " overlap");
            }
        }
    }

    /** Ranges minus exclusions, as sorted disjoint ranges. */
    static List<AddressRange> subtract(List<AddressRange> ranges, List<AddressRange> exclusions) {
        List<AddressRange> out = new ArrayList<>(ranges);
        for (AddressRange x : exclusions) {
            List<AddressRange> next = new ArrayList<>();
            for (AddressRange r : out) {
                if (x.last().compareTo(r.first()) < 0 || x.first().compareTo(r.last()) > 0) {
                    next.add(r);
                    continue;
                }
                if (x.first().compareTo(r.first()) > 0) {
                    next.add(new AddressRange(r.first(), new Ipv4(x.first().bits() - 1)));
                }
                if (x.last().compareTo(r.last()) < 0) {
                    next.add(new AddressRange(x.last().next(), r.last()));
                }
            }
            out = next;
        }
        out.sort(Comparator.comparing(AddressRange::first));
        return List.copyOf(out);
    }

    private static Map<Integer, byte[]> options(Map<String, String> input, String at, List<String> problems) {
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        if (input == null) {
            return out;
        }
        input.forEach((name, value) -> {
            int code;
            OptionType type;
            var known = DhcpOption.byName(name);
            if (known.isPresent()) {
                code = known.get().code();
                type = known.get().type();
            } else if (name.matches("\\d{1,3}") && Integer.parseInt(name) >= 1 && Integer.parseInt(name) <= 254) {
                code = Integer.parseInt(name);
                type = OptionType.BYTES; // unknown to the registry: raw hex
            } else {
                problems.add(at + ": option '" + name + "' is not a known option name or a code 1..254");
                return;
            }
            if (SERVER_CONTROLLED.contains(code)) {
                problems.add(at + ": option '" + name + "' (" + code + ") is set by the server, not by configuration");
                return;
            }
            try {
                out.put(code, type.parse(value));
            } catch (IllegalArgumentException e) {
                problems.add(
                        at + ": option '" + name + "' value '" + value + "' is not a " + type + ": " + e.getMessage());
            }
        });
        return out;
    }

    private static List<ReservationConfig> reservations(
            List<Reservation> input, Subnet subnet, List<AddressRange> exclusions, String at, List<String> problems) {
        List<ReservationConfig> out = new ArrayList<>();
        if (input == null) {
            return out;
        }
        Set<Ipv4> addresses = new HashSet<>();
        Set<String> identities = new HashSet<>();
        for (Reservation r : input) {
            if (r == null) {
                problems.add(at + ": empty reservation");
                continue;
            }
            Ipv4 address = address(r.address(), at + " reservation address", problems);
            String hw = hex(r.hardwareAddress(), 16, at + " reservation hardwareAddress", problems);
            String id = hex(r.clientId(), 255, at + " reservation clientId", problems);
            if (address == null) {
                continue;
            }
            String name = at + " reservation " + address;
            if (hw == null && id == null) {
                problems.add(name + ": needs a hardwareAddress or a clientId");
                continue;
            }
            if (!subnet.contains(address) || address.equals(subnet.network()) || address.equals(subnet.broadcast())) {
                problems.add(name + ": not a host address of " + subnet);
                continue;
            }
            if (exclusions.stream().anyMatch(x -> x.contains(address))) {
                problems.add(name + ": the address is excluded");
            }
            if (!addresses.add(address)) {
                problems.add(name + ": address reserved twice");
            }
            if (hw != null && !identities.add("hw:" + hw)) {
                problems.add(name + ": hardware address " + hw + " has two reservations");
            }
            if (id != null && !identities.add("id:" + id)) {
                problems.add(name + ": client id " + id + " has two reservations");
            }
            out.add(new ReservationConfig(hw, id, address, r.hostname()));
        }
        return out;
    }

    private static Ipv4 address(String text, String what, List<String> problems) {
        try {
            return Ipv4.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(what + ": " + e.getMessage());
            return null;
        }
    }

    private static String hex(String text, int maxBytes, String what, List<String> problems) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String digits = text.trim().replace(":", "").replace("-", "").toLowerCase();
        try {
            byte[] bytes = HexFormat.of().parseHex(digits);
            if (bytes.length == 0 || bytes.length > maxBytes) {
                problems.add(what + ": must be 1.." + maxBytes + " bytes");
                return null;
            }
            return digits;
        } catch (IllegalArgumentException e) {
            problems.add(what + ": '" + text + "' is not hex");
            return null;
        }
    }
}

package dev.tandem.system;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The two servers' lease tables of one scope, compared address by address (as the chaos run's audit does). */
final class LeaseTables {

    /** One address: its state (a secondary's free address BACKUP), its client ("" if none), its expiry (epoch s, 0). */
    record Row(String state, String client, long expires) {}

    private LeaseTables() {}

    static Map<String, Row> read(String server, String scope) throws SQLException {
        return read(server, scope, false);
    }

    /** The table with each client named by its hardware address in ISC's notation, as ISC's lease file names it. */
    static Map<String, Row> readByMac(String server, String scope) throws SQLException {
        return read(server, scope, true);
    }

    private static Map<String, Row> read(String server, String scope, boolean byMac) throws SQLException {
        Map<String, Row> out = new TreeMap<>();
        try (Connection c = Stack.database(server);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT host(ip),"
                        + " CASE WHEN state = 'FREE' AND backup THEN 'BACKUP' ELSE state END,"
                        + " coalesce(" + (byMac ? "hw_address" : "client_key") + ", ''),"
                        + " coalesce(extract(epoch FROM expires_at)::bigint, 0)"
                        + " FROM lease_view WHERE scope = '" + scope + "'")) {
            while (rs.next()) {
                String client = byMac ? mac(rs.getString(3)) : rs.getString(3);
                out.put(rs.getString(1), new Row(rs.getString(2), client, rs.getLong(4)));
            }
        }
        return out;
    }

    /**
     * ISC dhcpd's lease file as rows: the file is a journal, so an address's last block wins; its binding state
     * (FREE the primary's, BACKUP the secondary's, ABANDONED Tandem's DECLINED), its hardware address and its end (UTC, epoch s; 0 if none).
     */
    static Map<String, Row> isc(String leaseFile) {
        Map<String, Row> out = new TreeMap<>();
        Matcher block = Pattern.compile("lease ([0-9.]+) \\{(.*?)\\n\\}", Pattern.DOTALL)
                .matcher(leaseFile);
        while (block.find()) {
            String body = block.group(2);
            Matcher state = Pattern.compile("(?m)^\\s*binding state ([a-z-]+);").matcher(body);
            Matcher hw =
                    Pattern.compile("(?m)^\\s*hardware ethernet ([0-9a-f:]+);").matcher(body);
            out.put(
                    block.group(1),
                    new Row(state.find() ? state(state.group(1)) : "", hw.find() ? hw.group(1) : "", ends(body)));
        }
        return out;
    }

    /** ISC's binding state by Tandem's name: ISC's "abandoned" (a declined address) is Tandem's DECLINED. */
    private static String state(String isc) {
        return isc.equals("abandoned") ? "DECLINED" : isc.toUpperCase(Locale.ROOT);
    }

    /** The end of a lease block of ISC's lease file (UTC, its default db-time-format), seconds since 1970 (0 if none). */
    static long ends(String block) {
        Matcher m = Pattern.compile("(?m)^\\s*ends \\d (\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2});")
                .matcher(block);
        return m.find()
                ? LocalDateTime.parse(m.group(1), DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss"))
                        .toEpochSecond(ZoneOffset.UTC)
                : 0;
    }

    /** A hardware address as Tandem stores it (hex) in ISC's notation (colon-separated octets). */
    static String mac(String hex) {
        List<String> octets = new ArrayList<>();
        for (int i = 0; hex != null && i + 1 < hex.length(); i += 2) {
            octets.add(hex.substring(i, i + 2));
        }
        return String.join(":", octets);
    }

    /**
     * Where the tables differ, one line per address naming both rows: an address on one side only, another state
     * (a free address's owner included), and for an ACTIVE binding another client or an expiry more than a second
     * apart (the failover wire carries whole seconds). A free address's last client is history, kept or not.
     */
    static List<String> disagreements(String nameA, Map<String, Row> a, String nameB, Map<String, Row> b) {
        List<String> found = new ArrayList<>();
        TreeSet<String> addresses = new TreeSet<>(a.keySet());
        addresses.addAll(b.keySet());
        for (String address : addresses) {
            Row ra = a.get(address);
            Row rb = b.get(address);
            if (ra == null || rb == null) {
                found.add(address + " only on " + (ra == null ? nameB : nameA) + ": " + (ra == null ? rb : ra));
            } else if (!ra.state().equals(rb.state())
                    || (ra.state().equals("ACTIVE")
                            && (!ra.client().equals(rb.client()) || Math.abs(ra.expires() - rb.expires()) > 1))) {
                found.add(address + ": " + ra + " on " + nameA + ", " + rb + " on " + nameB);
            }
        }
        return found;
    }
}

package dev.tandem.system;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The two servers' lease tables of one scope, compared address by address (as the chaos run's audit does). */
final class LeaseTables {

    /** One address: its state (a secondary's free address BACKUP), its client ("" if none), its expiry (epoch s, 0). */
    record Row(String state, String client, long expires) {}

    private LeaseTables() {}

    static Map<String, Row> read(String server, String scope) throws SQLException {
        Map<String, Row> out = new TreeMap<>();
        try (Connection c = Stack.database(server);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT host(ip),"
                        + " CASE WHEN state = 'FREE' AND backup THEN 'BACKUP' ELSE state END,"
                        + " coalesce(client_key, ''), coalesce(extract(epoch FROM expires_at)::bigint, 0)"
                        + " FROM lease_view WHERE scope = '" + scope + "'")) {
            while (rs.next()) {
                out.put(rs.getString(1), new Row(rs.getString(2), rs.getString(3), rs.getLong(4)));
            }
        }
        return out;
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

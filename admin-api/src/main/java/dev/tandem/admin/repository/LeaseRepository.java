package dev.tandem.admin.repository;

import dev.tandem.admin.api.LeaseView;
import dev.tandem.protocol.bus.LeaseEvent;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** The lease read model: the newest event of every address of every server. */
@ApplicationScoped
public class LeaseRepository {

    /** What to search for; absent fields match everything. */
    public record Search(
            String server,
            String scope,
            String address,
            String hardwareAddress,
            String clientId,
            String hostname,
            String state,
            int limit) {}

    /** Where a page of a search starts: after this server and address (the search's order). */
    public record Cursor(String server, String address) {}

    /** One page of a search: the leases, how many match in all, and where the next page starts (none: the last). */
    public record Page(List<LeaseView> leases, long total, Cursor next) {}

    @Transactional
    public void apply(List<LeaseEvent> events) {
        var em = Panache.getEntityManager();
        for (LeaseEvent e : events) {
            em.createNativeQuery("INSERT INTO lease (server, address, scope, state, type, client_key, hardware_address,"
                            + " client_id, hostname, expires_at, updated_at, sequence)"
                            + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                            + " ON CONFLICT (server, address) DO UPDATE SET scope = EXCLUDED.scope,"
                            + " state = EXCLUDED.state, type = EXCLUDED.type, client_key = EXCLUDED.client_key,"
                            + " hardware_address = EXCLUDED.hardware_address, client_id = EXCLUDED.client_id,"
                            + " hostname = EXCLUDED.hostname, expires_at = EXCLUDED.expires_at,"
                            + " updated_at = EXCLUDED.updated_at, sequence = EXCLUDED.sequence"
                            + " WHERE lease.sequence < EXCLUDED.sequence")
                    .setParameter(1, e.server())
                    .setParameter(2, e.address())
                    .setParameter(3, e.scope() == null ? "" : e.scope())
                    .setParameter(4, e.state())
                    .setParameter(5, e.type() == null ? "" : e.type())
                    .setParameter(6, e.clientKey())
                    .setParameter(7, hex(e.hardwareAddress()))
                    .setParameter(8, hex(e.clientId()))
                    .setParameter(9, e.hostname())
                    .setParameter(10, e.expiresAt() == null ? null : Timestamp.from(e.expiresAt()))
                    .setParameter(11, Timestamp.from(e.at()))
                    .setParameter(12, e.sequence())
                    .executeUpdate();
            em.createNativeQuery("INSERT INTO lease_history (server, address, state, type, hardware_address, client_id,"
                            + " hostname, expires_at, at, sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                            + " ON CONFLICT DO NOTHING")
                    .setParameter(1, e.server())
                    .setParameter(2, e.address())
                    .setParameter(3, e.state())
                    .setParameter(4, e.type() == null ? "" : e.type())
                    .setParameter(5, hex(e.hardwareAddress()))
                    .setParameter(6, hex(e.clientId()))
                    .setParameter(7, e.hostname())
                    .setParameter(8, e.expiresAt() == null ? null : Timestamp.from(e.expiresAt()))
                    .setParameter(9, Timestamp.from(e.at()))
                    .setParameter(10, e.sequence())
                    .executeUpdate();
        }
    }

    /** The lease events of an address on a server, newest first (as far back as the history is kept). */
    @Transactional
    public List<LeaseView> history(String server, String address, int limit) {
        Query q = Panache.getEntityManager()
                .createNativeQuery("SELECT server, address, '', state, type, hardware_address, client_id, hostname,"
                        + " expires_at, at FROM lease_history WHERE server = ?1 AND address = ?2"
                        + " ORDER BY sequence DESC LIMIT " + limit)
                .setParameter(1, server)
                .setParameter(2, address);
        return views(q);
    }

    /** Forgets history older than the cutoff. */
    @Transactional
    public int forgetHistoryBefore(Instant cutoff) {
        return Panache.getEntityManager()
                .createNativeQuery("DELETE FROM lease_history WHERE at < ?1")
                .setParameter(1, Timestamp.from(cutoff))
                .executeUpdate();
    }

    @Transactional
    public List<LeaseView> search(Search s) {
        return page(s, null).leases();
    }

    /**
     * A page of a search, ordered by server and address, after {@code after} (from the start when null), with the
     * number of leases the whole search matches.
     */
    @Transactional
    public Page page(Search s, Cursor after) {
        StringBuilder where = new StringBuilder(" FROM lease WHERE true");
        List<Object> params = new ArrayList<>();
        condition(where, params, "server = ?", s.server());
        condition(where, params, "scope = ?", s.scope());
        condition(where, params, "address = ?", s.address());
        condition(where, params, "hardware_address = ?", hex(s.hardwareAddress()));
        condition(where, params, "client_id = ?", hex(s.clientId()));
        condition(where, params, "lower(hostname) LIKE ?", s.hostname() == null ? null : like(s.hostname()) + "%");
        condition(
                where, params, "state = ?", s.state() == null ? null : s.state().toUpperCase());
        long total = ((Number) bind(Panache.getEntityManager().createNativeQuery("SELECT count(*)" + where), params)
                        .getSingleResult())
                .longValue();
        StringBuilder sql = new StringBuilder("SELECT server, address, scope, state, type, hardware_address, client_id,"
                        + " hostname, expires_at, updated_at")
                .append(where);
        if (after != null) {
            params.add(after.server());
            params.add(after.address());
            sql.append(" AND (server, inet(address)) > (?")
                    .append(params.size() - 1)
                    .append(", inet(?")
                    .append(params.size())
                    .append("))");
        }
        // one more than a page: whether there is a next one
        sql.append(" ORDER BY server, inet(address) LIMIT ").append(s.limit() + 1);
        List<LeaseView> found = views(bind(Panache.getEntityManager().createNativeQuery(sql.toString()), params));
        if (found.size() <= s.limit()) {
            return new Page(found, total, null);
        }
        List<LeaseView> page = found.subList(0, s.limit());
        LeaseView last = page.get(page.size() - 1);
        return new Page(List.copyOf(page), total, new Cursor(last.server(), last.address()));
    }

    private static Query bind(Query q, List<Object> params) {
        for (int i = 0; i < params.size(); i++) {
            q.setParameter(i + 1, params.get(i));
        }
        return q;
    }

    private static List<LeaseView> views(Query q) {
        List<LeaseView> out = new ArrayList<>();
        for (Object row : q.getResultList()) {
            Object[] r = (Object[]) row;
            out.add(new LeaseView(
                    (String) r[0],
                    (String) r[1],
                    (String) r[2],
                    (String) r[3],
                    (String) r[4],
                    (String) r[5],
                    (String) r[6],
                    (String) r[7],
                    instant(r[8]),
                    instant(r[9])));
        }
        return out;
    }

    private static void condition(StringBuilder sql, List<Object> params, String clause, String value) {
        if (value != null && !value.isBlank()) {
            params.add(value.strip());
            sql.append(" AND ").append(clause.replace("?", "?" + params.size()));
        }
    }

    private static String like(String text) {
        return text.strip()
                .toLowerCase()
                .replace("\\", "\\\\")
                .replace("%", "\\%")
                .replace("_", "\\_");
    }

    /** Hardware addresses and client ids as lower-case hex without separators: "02:00:5E-…" finds "02005e…". */
    private static String hex(String s) {
        return s == null ? null : s.replaceAll("[:.-]", "").toLowerCase();
    }

    /** A timestamp column as PostgreSQL's driver hands it over. */
    static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (o instanceof Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("unexpected time type " + o.getClass());
    }
}

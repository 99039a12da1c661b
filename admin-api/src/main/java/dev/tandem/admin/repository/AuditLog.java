package dev.tandem.admin.repository;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The audit log: every change asked of the admin API, with who asked, when, and how it ended (table audit_log). */
@ApplicationScoped
public class AuditLog {

    /** {@code user} asked {@code method path} (with its query) at {@code at}; the answer had {@code status}. */
    public record Entry(long id, Instant at, String user, String method, String path, int status) {}

    /** Stores an entry in a transaction of its own: a change that failed is recorded as well. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void record(Instant at, String user, String method, String path, int status) {
        Panache.getEntityManager()
                .createNativeQuery(
                        "INSERT INTO audit_log (at, username, method, path, status) VALUES (?1, ?2, ?3, ?4, ?5)")
                .setParameter(1, Timestamp.from(at))
                .setParameter(2, user)
                .setParameter(3, method)
                .setParameter(4, path)
                .setParameter(5, status)
                .executeUpdate();
    }

    /** The newest entries first, of one user when {@code user} is set, before the entry {@code before} when set. */
    @Transactional
    public List<Entry> newest(String user, Long before, int limit) {
        List<Entry> out = new ArrayList<>();
        for (Object row : Panache.getEntityManager()
                .createNativeQuery("SELECT id, at, username, method, path, status FROM audit_log"
                        + " WHERE (?1 = '' OR username = ?1) AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT " + limit)
                .setParameter(1, user == null ? "" : user)
                .setParameter(2, before == null ? 0L : before)
                .getResultList()) {
            Object[] r = (Object[]) row;
            out.add(new Entry(
                    ((Number) r[0]).longValue(),
                    LeaseRepository.instant(r[1]),
                    (String) r[2],
                    (String) r[3],
                    (String) r[4],
                    ((Number) r[5]).intValue()));
        }
        return out;
    }
}

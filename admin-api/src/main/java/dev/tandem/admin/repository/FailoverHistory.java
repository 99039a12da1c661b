package dev.tandem.admin.repository;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The failover states each server of a relationship entered, with when (table failover_history). */
@ApplicationScoped
public class FailoverHistory {

    /** A server of the relationship entered {@code state} at {@code since}; its partner was then in partnerState. */
    public record Entry(String relationship, String server, String state, String partnerState, Instant since) {}

    /** Stores a state a coordinator reports; one already stored (same server and since) is left as it is. */
    @Transactional
    public void record(Entry e) {
        Panache.getEntityManager()
                .createNativeQuery("INSERT INTO failover_history (relationship, server, state, partner_state, since)"
                        + " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING")
                .setParameter(1, e.relationship())
                .setParameter(2, e.server())
                .setParameter(3, e.state())
                .setParameter(4, e.partnerState())
                .setParameter(5, Timestamp.from(e.since()))
                .executeUpdate();
    }

    /** The states entered since {@code from}, newest first. */
    @Transactional
    public List<Entry> since(String relationship, Instant from) {
        List<Entry> out = new ArrayList<>();
        for (Object row : Panache.getEntityManager()
                .createNativeQuery("SELECT relationship, server, state, partner_state, since FROM failover_history"
                        + " WHERE relationship = ?1 AND since >= ?2 ORDER BY since DESC LIMIT 500")
                .setParameter(1, relationship)
                .setParameter(2, Timestamp.from(from))
                .getResultList()) {
            Object[] r = (Object[]) row;
            out.add(new Entry(
                    (String) r[0], (String) r[1], (String) r[2], (String) r[3], LeaseRepository.instant(r[4])));
        }
        return out;
    }

    /** Forgets states entered before the cutoff. */
    @Transactional
    public int forgetBefore(Instant cutoff) {
        return Panache.getEntityManager()
                .createNativeQuery("DELETE FROM failover_history WHERE since < ?1")
                .setParameter(1, Timestamp.from(cutoff))
                .executeUpdate();
    }
}

package dev.tandem.protocol.bus;

import java.time.Instant;

/**
 * The address counts of one scope on one server (schema {@code scope-statistics.v1}), published by the lease-service to
 * the compacted {@link Topics#SCOPE_STATISTICS} topic keyed by {@code <server>/<subnet>} whenever they change. The
 * admin API reports scope utilisation from it.
 *
 * @param total addresses in the scope's ranges, less exclusions
 * @param assigned addresses leased (ACTIVE)
 * @param offered addresses held for a client that was offered them
 * @param free addresses this server may allocate now or after failover: not leased, owned by the primary (FREE)
 * @param backup free addresses owned by the secondary (BACKUP); 0 outside a failover relationship
 * @param declined addresses in decline probation
 * @param unacked leased addresses whose binding update the partner has not yet acknowledged ("unacked clients")
 */
public record ScopeStatistics(
        int version,
        String server,
        String scope,
        long total,
        long assigned,
        long offered,
        long free,
        long backup,
        long declined,
        long unacked,
        Instant at) {

    public static final int VERSION = 1;

    /** The Kafka key: one record per server and scope. */
    public String key() {
        return server + "/" + scope;
    }
}

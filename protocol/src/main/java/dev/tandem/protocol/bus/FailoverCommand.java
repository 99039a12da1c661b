package dev.tandem.protocol.bus;

import java.util.List;

/**
 * A request from the coordinator to the lease-service (schema {@code failover-command.v1}) on
 * {@code tandem.<server>.failover-commands}: publish bindings of the relationship's scopes to {@code binding-updates}
 * again, then an end-of-resend marker with the request id.
 *
 * @param command resend-unacked (all not yet acknowledged by the partner: UPDREQ, and every new connection) or
 *     resend-all (every binding that ever changed: UPDREQALL), or balance (give the partner this server's surplus of free
 *     addresses, in NORMAL only; the end marker carries the count), or identify (the marker names the lease database and
 *     its latest binding update number, nothing else is sent)
 * @param revision the configuration revision the coordinator runs with; a balance pass waits until the lease-service
 *     has applied it, so both use the same shares (null: no wait)
 * @param secondaryPercent balance only: the secondary's share of the free addresses to balance to instead of the
 *     configured one; 50 with an ISC dhcpd partner, which balances to half and half in every mode (null: configured)
 * @param upTo resend-unacked only: only updates numbered up to this (the coordinator's periodic recheck names those it
 *     saw long enough ago that an acknowledgement should have come; null: all)
 */
public record FailoverCommand(
        int version,
        String relationship,
        String command,
        String requestId,
        List<String> scopes,
        Long revision,
        Integer secondaryPercent,
        Long upTo) {

    public static final int VERSION = 1;
    public static final String RESEND_UNACKED = "resend-unacked";
    public static final String RESEND_ALL = "resend-all";
    public static final String BALANCE = "balance";
    public static final String IDENTIFY = "identify";
}

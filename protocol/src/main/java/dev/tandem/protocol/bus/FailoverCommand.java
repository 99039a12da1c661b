package dev.tandem.protocol.bus;

import java.util.List;

/**
 * A request from the coordinator to the lease-service (schema {@code failover-command.v1}) on
 * {@code tandem.<server>.failover-commands}: publish bindings of the relationship's scopes to {@code binding-updates}
 * again, then an end-of-resend marker with the request id.
 *
 * @param command resend-unacked (all not yet acknowledged by the partner: UPDREQ, and every new connection) or
 *     resend-all (every binding that ever changed: UPDREQALL)
 */
public record FailoverCommand(int version, String relationship, String command, String requestId, List<String> scopes) {

    public static final int VERSION = 1;
    public static final String RESEND_UNACKED = "resend-unacked";
    public static final String RESEND_ALL = "resend-all";
}

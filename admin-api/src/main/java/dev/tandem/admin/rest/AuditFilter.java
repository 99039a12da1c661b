package dev.tandem.admin.rest;

import dev.tandem.admin.repository.AuditLog;
import io.quarkus.logging.Log;
import io.quarkus.runtime.BlockingOperationControl;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Records every change asked of the admin API (any method but GET, HEAD, OPTIONS, through the REST API or the
 * console) in the audit log: the user, the time, the method and path with its query, and the status it was answered
 * with, refusals included. (A bean of its own: a filter in a resource class would pass that class's role check.)
 */
public class AuditFilter {

    private static final Set<String> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final AuditLog log;
    private final Clock clock;

    public AuditFilter(AuditLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /** Records a change once it is answered. */
    @ServerResponseFilter
    public void record(ContainerRequestContext request, ContainerResponseContext response) {
        Principal who = request.getSecurityContext().getUserPrincipal();
        if (READS.contains(request.getMethod()) || who == null) {
            return;
        }
        String path = request.getUriInfo().getRequestUri().getRawPath();
        String query = request.getUriInfo().getRequestUri().getRawQuery();
        Instant at = clock.instant();
        String user = who.getName();
        String method = request.getMethod();
        int status = response.getStatus();
        Runnable store = () -> {
            try {
                log.record(at, user, method, query == null ? path : path + "?" + query, status);
            } catch (RuntimeException e) {
                Log.warnf("Audit entry of %s %s by %s not stored: %s", method, path, user, e);
            }
        };
        // a refusal by the role check is answered on the I/O thread, which must not wait for the database
        if (BlockingOperationControl.isBlockingAllowed()) {
            store.run();
        } else {
            Infrastructure.getDefaultWorkerPool().execute(store);
        }
    }
}

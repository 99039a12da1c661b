package dev.tandem.admin.rest;

import dev.tandem.admin.repository.AuditLog;
import dev.tandem.admin.security.Users;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The audit log, newest first (what {@link AuditFilter} records). */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Users.ADMIN)
@Tag(name = "Audit")
public class Audit {

    private final AuditLog log;

    public Audit(AuditLog log) {
        this.log = log;
    }

    @GET
    @Operation(summary = "Changes asked of the admin API, newest first; before: the id to page back from")
    public List<AuditLog.Entry> list(
            @QueryParam("user") String user,
            @QueryParam("before") @Min(1) Long before,
            @QueryParam("limit") @Min(1) @Max(1000) Integer limit) {
        return log.newest(user, before, limit == null ? 100 : limit);
    }
}

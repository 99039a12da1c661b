package dev.tandem.admin.rest;

import dev.tandem.admin.api.ScopeView;
import dev.tandem.admin.messaging.ScopeStatisticsConsumer;
import dev.tandem.admin.security.Users;
import dev.tandem.admin.service.ScopeService;
import dev.tandem.protocol.bus.ScopeStatistics;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Every scope of every server, with the servers that serve it. */
@Path("/api/v1/scopes")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Users.READER)
@Tag(name = "Scopes")
public class ScopeResource {

    private final ScopeService scopes;
    private final ScopeStatisticsConsumer statistics;

    public ScopeResource(ScopeService scopes, ScopeStatisticsConsumer statistics) {
        this.scopes = scopes;
        this.statistics = statistics;
    }

    @GET
    public List<ScopeView> all() {
        return scopes.all();
    }

    /**
     * The address counts of every scope on every server, as each server's lease-service last reported them; a scope
     * whose server has not reported yet is left out.
     */
    @GET
    @Path("/utilisation")
    @Operation(summary = "Address counts of every scope on every server, in one call")
    public List<ScopeStatistics> utilisation() {
        return scopes.all().stream()
                .flatMap(s -> statistics.of(s.server(), s.subnet()).stream())
                .toList();
    }
}

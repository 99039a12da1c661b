package dev.tandem.admin.rest;

import dev.tandem.admin.api.ScopeView;
import dev.tandem.admin.security.Users;
import dev.tandem.admin.service.ScopeService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Every scope of every server, with the servers that serve it. */
@Path("/api/v1/scopes")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Users.READER)
@Tag(name = "Scopes")
public class ScopeResource {

    private final ScopeService scopes;

    public ScopeResource(ScopeService scopes) {
        this.scopes = scopes;
    }

    @GET
    public List<ScopeView> all() {
        return scopes.all();
    }
}

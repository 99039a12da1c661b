package dev.tandem.admin.rest;

import dev.tandem.admin.api.ScopeDocument;
import dev.tandem.admin.api.ScopeView;
import dev.tandem.admin.api.ServerDocument;
import dev.tandem.admin.api.ServerView;
import dev.tandem.admin.messaging.ScopeStatisticsConsumer;
import dev.tandem.admin.security.Users;
import dev.tandem.admin.service.ApiError;
import dev.tandem.admin.service.Coordinators;
import dev.tandem.admin.service.RelationshipService;
import dev.tandem.admin.service.ScopeService;
import dev.tandem.admin.service.ServerService;
import dev.tandem.protocol.bus.ScopeStatistics;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Servers and the scopes configured on each. */
@Path("/api/v1/servers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Users.READER)
@Tag(name = "Servers")
public class ServerResource {

    private final ServerService servers;
    private final ScopeService scopes;
    private final RelationshipService relationships;
    private final Coordinators coordinators;
    private final ScopeStatisticsConsumer statistics;

    public ServerResource(
            ServerService servers,
            ScopeService scopes,
            RelationshipService relationships,
            Coordinators coordinators,
            ScopeStatisticsConsumer statistics) {
        this.servers = servers;
        this.scopes = scopes;
        this.relationships = relationships;
        this.coordinators = coordinators;
        this.statistics = statistics;
    }

    @GET
    @Operation(summary = "All servers")
    public List<ServerView> list() {
        return servers.list();
    }

    @POST
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Add a server")
    public Response create(@Valid @NotNull ServerDocument doc) {
        ServerView view = servers.create(doc);
        return Etags.created(view, ServerView::version, "/api/v1/servers/" + view.name());
    }

    @GET
    @Path("/{server}")
    public Response get(@PathParam("server") String name) {
        return Etags.ok(servers.get(name), ServerView::version);
    }

    @PUT
    @Path("/{server}")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Replace a server's settings (If-Match required)")
    public Response replace(
            @PathParam("server") String name,
            @HeaderParam("If-Match") String ifMatch,
            @Valid @NotNull ServerDocument doc) {
        return Etags.ok(servers.replace(name, doc, Etags.expected(ifMatch, true)), ServerView::version);
    }

    @DELETE
    @Path("/{server}")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Remove a server that has no scopes and is in no relationship")
    public Response delete(@PathParam("server") String name, @HeaderParam("If-Match") String ifMatch) {
        servers.delete(name, Etags.expected(ifMatch, false));
        return Response.noContent().build();
    }

    @GET
    @Path("/{server}/status")
    @Operation(summary = "Whether the server's configuration is published, and its coordinator's relationships")
    public Map<String, Object> status(@PathParam("server") String name) {
        ServerView view = servers.get(name);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("server", name);
        out.put("configRevision", view.configRevision());
        out.put("configPublished", view.configPublished());
        out.put("coordinator", coordinators.server(name, view.coordinatorUrl()));
        return out;
    }

    @POST
    @Path("/{server}/replicate")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Copy every failover scope of this server to its partners")
    public Map<String, Object> replicate(@PathParam("server") String name) {
        return Map.of("from", name, "scopes", relationships.replicateServer(name));
    }

    // --- Scopes
    // -------------------------------------------------------------------------------------------------------

    @GET
    @Path("/{server}/scopes")
    @Tag(name = "Scopes")
    public List<ScopeView> scopes(@PathParam("server") String server) {
        return scopes.list(server);
    }

    @POST
    @Path("/{server}/scopes")
    @RolesAllowed(Users.ADMIN)
    @Tag(name = "Scopes")
    @Operation(summary = "Add a scope to a server")
    public Response createScope(@PathParam("server") String server, @Valid @NotNull ScopeDocument doc) {
        ScopeView view = scopes.create(server, doc);
        return Etags.created(view, ScopeView::version, "/api/v1/servers/" + server + "/scopes/" + view.id());
    }

    @GET
    @Path("/{server}/scopes/{id}")
    @Tag(name = "Scopes")
    public Response scope(@PathParam("server") String server, @PathParam("id") String id) {
        return Etags.ok(scopes.get(server, id), ScopeView::version);
    }

    @PUT
    @Path("/{server}/scopes/{id}")
    @RolesAllowed(Users.ADMIN)
    @Tag(name = "Scopes")
    @Operation(summary = "Replace a scope on this server (If-Match required); replicate to reach the partner")
    public Response replaceScope(
            @PathParam("server") String server,
            @PathParam("id") String id,
            @HeaderParam("If-Match") String ifMatch,
            @Valid @NotNull ScopeDocument doc) {
        return Etags.ok(scopes.replace(server, id, doc, Etags.expected(ifMatch, true)), ScopeView::version);
    }

    @DELETE
    @Path("/{server}/scopes/{id}")
    @RolesAllowed(Users.ADMIN)
    @Tag(name = "Scopes")
    public Response deleteScope(
            @PathParam("server") String server, @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        scopes.delete(server, id, Etags.expected(ifMatch, false));
        return Response.noContent().build();
    }

    @GET
    @Path("/{server}/scopes/{id}/utilisation")
    @Tag(name = "Scopes")
    @Operation(summary = "Address counts as the server's lease-service last reported them")
    public ScopeStatistics utilisation(@PathParam("server") String server, @PathParam("id") String id) {
        ScopeView scope = scopes.get(server, id);
        return statistics
                .of(server, scope.subnet())
                .orElseThrow(() -> ApiError.notFound("server " + server + " has not reported statistics for "
                        + scope.subnet() + " yet (its lease-service reports every 10 s once it serves the scope)"));
    }
}

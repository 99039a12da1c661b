package dev.tandem.admin.rest;

import dev.tandem.admin.api.RelationshipDocument;
import dev.tandem.admin.api.RelationshipView;
import dev.tandem.admin.security.Users;
import dev.tandem.admin.service.Coordinators;
import dev.tandem.admin.service.RelationshipService;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Failover relationships: their settings, their scopes, replication, state and commands. */
@Path("/api/v1/relationships")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Users.READER)
@Tag(name = "Failover relationships")
public class RelationshipResource {

    /** The scope to add: its id (network address) or subnet. */
    public record ScopeRef(String scope) {}

    private final RelationshipService relationships;
    private final Coordinators coordinators;

    public RelationshipResource(RelationshipService relationships, Coordinators coordinators) {
        this.relationships = relationships;
        this.coordinators = coordinators;
    }

    @GET
    public List<RelationshipView> list() {
        return relationships.list();
    }

    @POST
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Create a relationship (empty until its first scope joins)")
    public Response create(@Valid @NotNull RelationshipDocument doc) {
        RelationshipView view = relationships.create(doc);
        return Etags.created(view, RelationshipView::version, "/api/v1/relationships/" + view.name());
    }

    @GET
    @Path("/{name}")
    public Response get(@PathParam("name") String name) {
        return Etags.ok(relationships.get(name), RelationshipView::version);
    }

    @PUT
    @Path("/{name}")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Modify a relationship (If-Match required): mode, percentage, MCLT, timers, secret")
    public Response replace(
            @PathParam("name") String name,
            @HeaderParam("If-Match") String ifMatch,
            @Valid @NotNull RelationshipDocument doc) {
        return Etags.ok(relationships.replace(name, doc, Etags.expected(ifMatch, true)), RelationshipView::version);
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Remove a relationship; its scopes stay on keepScopesOn and leave the other server")
    public Response delete(
            @PathParam("name") String name,
            @QueryParam("keepScopesOn") String keepScopesOn,
            @HeaderParam("If-Match") String ifMatch) {
        relationships.delete(name, keepScopesOn, Etags.expected(ifMatch, false));
        return Response.noContent().build();
    }

    @POST
    @Path("/{name}/scopes")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Add a scope: it is copied to the partner and both servers serve it")
    public RelationshipView addScope(@PathParam("name") String name, @NotNull ScopeRef ref) {
        return relationships.addScope(name, ref.scope());
    }

    @DELETE
    @Path("/{name}/scopes/{id}")
    @RolesAllowed(Users.ADMIN)
    @Operation(
            summary = "Take a scope out: it stays on keepOn and is deleted from the other server; only while both"
                    + " servers are NORMAL unless force=true")
    public RelationshipView removeScope(
            @PathParam("name") String name,
            @PathParam("id") String id,
            @QueryParam("keepOn") String keepOn,
            @QueryParam("force") boolean force) {
        return relationships.removeScope(name, id, keepOn, force);
    }

    @POST
    @Path("/{name}/replicate")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Copy every scope of the relationship from one server to its partner")
    public Map<String, Object> replicate(@PathParam("name") String name, @QueryParam("from") String from) {
        return Map.of("from", from, "scopes", relationships.replicate(name, from, null));
    }

    @POST
    @Path("/{name}/scopes/{id}/replicate")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Copy one scope of the relationship from one server to its partner")
    public Map<String, Object> replicateScope(
            @PathParam("name") String name, @PathParam("id") String id, @QueryParam("from") String from) {
        return Map.of("from", from, "scopes", relationships.replicate(name, from, id));
    }

    @GET
    @Path("/{name}/state")
    @Operation(summary = "Both servers' failover state, as their coordinators report it")
    public Map<String, Object> state(@PathParam("name") String name) {
        return Map.of("relationship", name, "servers", coordinators.state(name));
    }

    @POST
    @Path("/{name}/partner-down")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Tell one server that its partner is down (it enters PARTNER-DOWN)")
    public Map<String, Object> partnerDown(@PathParam("name") String name, @QueryParam("server") String server) {
        return coordinators.command(name, server, "POST", "partner-down");
    }

    @POST
    @Path("/{name}/maintenance")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Planned maintenance: the server hands everything to its partner")
    public Map<String, Object> maintenanceStart(@PathParam("name") String name, @QueryParam("server") String server) {
        return coordinators.command(name, server, "POST", "maintenance");
    }

    @DELETE
    @Path("/{name}/maintenance")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "End maintenance: the server recovers from its partner and rejoins")
    public Map<String, Object> maintenanceEnd(@PathParam("name") String name, @QueryParam("server") String server) {
        return coordinators.command(name, server, "DELETE", "maintenance");
    }
}

package dev.tandem.coordinator.rest;

import dev.tandem.coordinator.service.RelationshipRunner;
import dev.tandem.coordinator.service.Relationships;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The coordinator's operations, for the admin API and operators: the state of each relationship, "partner down"
 * (§9.5.2) and planned maintenance (hand over to the partner, then rejoin). Errors are RFC 9457 problem documents.
 * Commands need the command credential ({@link CommandGuard}); reads do not.
 */
@Path("/api/v1/relationships")
@Produces(MediaType.APPLICATION_JSON)
public class RelationshipResource {

    private final Relationships relationships;

    public RelationshipResource(Relationships relationships) {
        this.relationships = relationships;
    }

    @GET
    public List<RelationshipRunner.Report> list() {
        return relationships.all().stream().map(r -> r.report().join()).toList();
    }

    @GET
    @Path("/{name}")
    public Response get(@PathParam("name") String name) {
        return on(name, RelationshipRunner::report);
    }

    @POST
    @Path("/{name}/partner-down")
    public Response partnerDown(@PathParam("name") String name) {
        return on(name, r -> r.partnerDown().thenApply(s -> Map.of("state", s)));
    }

    @POST
    @Path("/{name}/maintenance")
    public Response maintenanceStart(@PathParam("name") String name) {
        return on(name, r -> r.maintenanceStart().thenApply(s -> Map.of("state", s)));
    }

    @DELETE
    @Path("/{name}/maintenance")
    public Response maintenanceEnd(@PathParam("name") String name) {
        return on(name, r -> r.maintenanceEnd().thenApply(s -> Map.of("state", s)));
    }

    private Response on(String name, Function<RelationshipRunner, CompletableFuture<?>> action) {
        var runner = relationships.get(name);
        if (runner.isEmpty()) {
            return problem(404, "No such relationship", "this server is in no failover relationship named " + name);
        }
        try {
            return Response.ok(action.apply(runner.get()).get(10, TimeUnit.SECONDS))
                    .build();
        } catch (java.util.concurrent.ExecutionException | CompletionException e) {
            return problem(409, "Not allowed in this state", e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            return problem(503, "No answer", "the relationship did not answer within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return problem(503, "Interrupted", "interrupted");
        }
    }

    static Response problem(int status, String title, String detail) {
        return Response.status(status)
                .type("application/problem+json")
                .entity(Map.of("type", "about:blank", "title", title, "status", status, "detail", detail))
                .build();
    }
}

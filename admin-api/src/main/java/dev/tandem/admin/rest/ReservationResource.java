package dev.tandem.admin.rest;

import dev.tandem.admin.api.ReservationDocument;
import dev.tandem.admin.security.Users;
import dev.tandem.admin.service.ReservationService;
import dev.tandem.protocol.bus.ServerConfig.Reservation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A scope's reservations as a resource of their own, one per address; a change reaches the partner's copy too. */
@Path("/api/v1/servers/{server}/scopes/{id}/reservations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Users.READER)
@Tag(name = "Reservations")
public class ReservationResource {

    private final ReservationService reservations;

    public ReservationResource(ReservationService reservations) {
        this.reservations = reservations;
    }

    @GET
    public List<Reservation> list(@PathParam("server") String server, @PathParam("id") String id) {
        return reservations.list(server, id);
    }

    @GET
    @Path("/{address}")
    public Reservation get(
            @PathParam("server") String server, @PathParam("id") String id, @PathParam("address") String address) {
        return reservations.get(server, id, address);
    }

    @PUT
    @Path("/{address}")
    @RolesAllowed(Users.ADMIN)
    @Operation(
            summary = "Reserve the address for a client, or change its reservation",
            description = "On a scope in a failover relationship, the partner's copy changes in the same change.")
    public Response put(
            @PathParam("server") String server,
            @PathParam("id") String id,
            @PathParam("address") String address,
            @Valid @NotNull ReservationDocument doc) {
        boolean created = reservations.put(server, id, address, doc);
        Reservation now = reservations.get(server, id, address);
        return created
                ? Response.created(URI.create(
                                "/api/v1/servers/" + server + "/scopes/" + id + "/reservations/" + now.address()))
                        .entity(now)
                        .build()
                : Response.ok(now).build();
    }

    @DELETE
    @Path("/{address}")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Remove the reservation of the address (from the partner's copy too)")
    public Response delete(
            @PathParam("server") String server, @PathParam("id") String id, @PathParam("address") String address) {
        reservations.delete(server, id, address);
        return Response.noContent().build();
    }
}

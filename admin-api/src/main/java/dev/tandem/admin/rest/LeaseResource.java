package dev.tandem.admin.rest;

import dev.tandem.admin.api.Patterns;
import dev.tandem.admin.config.AdminConfig;
import dev.tandem.admin.repository.LeaseRepository;
import dev.tandem.admin.security.Users;
import dev.tandem.admin.service.ApiError;
import dev.tandem.admin.service.Coordinators;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Lease search across all servers, from the read model built from the lease events; ending a lease and reclaiming
 * expired ones on a server, through its coordinator.
 */
@Path("/api/v1/leases")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Users.READER)
@Tag(name = "Leases")
public class LeaseResource {

    private final LeaseRepository leases;
    private final AdminConfig config;
    private final Coordinators coordinators;

    public LeaseResource(LeaseRepository leases, AdminConfig config, Coordinators coordinators) {
        this.leases = leases;
        this.config = config;
        this.coordinators = coordinators;
    }

    /**
     * Ends the active lease of an address on a server now, as if its client had released it, through the server's
     * coordinator to its lease-service; refused where the server changes no binding (a failover state other than
     * NORMAL, COMMUNICATIONS-INTERRUPTED or PARTNER-DOWN). In a failover scope the partner learns it by a binding
     * update, as of any release. The client is not told: for clients known to be gone.
     */
    @DELETE
    @Path("/{server}/{address}")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "End a lease now (as its client's release would)")
    public Map<String, Object> delete(
            @PathParam("server") @Pattern(regexp = Patterns.NAME, message = Patterns.NAME_MESSAGE) String server,
            @PathParam("address") @Pattern(regexp = Patterns.IPV4, message = Patterns.IPV4_MESSAGE) String address,
            @Context SecurityContext who) {
        return coordinators.leaseCommand(
                server, address + "/release", who.getUserPrincipal().getName());
    }

    /** Ends now, on a server, every lease, offer and decline probation that has run out. */
    @POST
    @Path("/{server}/reclaim")
    @RolesAllowed(Users.ADMIN)
    @Operation(summary = "Reclaim expired leases now")
    public Map<String, Object> reclaim(
            @PathParam("server") @Pattern(regexp = Patterns.NAME, message = Patterns.NAME_MESSAGE) String server,
            @Context SecurityContext who) {
        return coordinators.leaseCommand(
                server, "reclaim", who.getUserPrincipal().getName());
    }

    @GET
    @Operation(
            summary = "Search leases by address, hardware address, client id, hostname (prefix), scope, server, state",
            description = "A page of at most limit leases, ordered by server and address. X-Total-Count says how many"
                    + " match in all; a Link header with rel=\"next\" gives the next page (its cursor), absent on"
                    + " the last.")
    public Response search(
            @QueryParam("server") @Pattern(regexp = Patterns.NAME, message = Patterns.NAME_MESSAGE) String server,
            @QueryParam("scope") @Pattern(regexp = Patterns.SUBNET, message = Patterns.SUBNET_MESSAGE) String scope,
            @QueryParam("address") @Pattern(regexp = Patterns.IPV4, message = Patterns.IPV4_MESSAGE) String address,
            @QueryParam("hardwareAddress")
                    @Pattern(
                            regexp = "[0-9a-fA-F]{2}([:.-]?[0-9a-fA-F]{2}){0,15}",
                            message = "must be hex octets, as 02:00:5e:00:00:01 or 02005e000001")
                    String hardwareAddress,
            @QueryParam("clientId") @Pattern(regexp = Patterns.HEX, message = Patterns.HEX_MESSAGE) String clientId,
            @QueryParam("hostname") String hostname,
            @QueryParam("state") @Pattern(regexp = Patterns.LEASE_STATE, message = Patterns.LEASE_STATE_MESSAGE)
                    String state,
            @QueryParam("limit") @Min(1) @Max(100000) Integer limit,
            @QueryParam("cursor") String cursor,
            @Context UriInfo uri) {
        int max = Math.min(limit == null ? config.maxSearchResults() : limit, config.maxSearchResults());
        LeaseRepository.Page page = leases.page(
                new LeaseRepository.Search(server, scope, address, hardwareAddress, clientId, hostname, state, max),
                cursor == null ? null : decode(cursor));
        Response.ResponseBuilder answer = Response.ok(page.leases()).header("X-Total-Count", page.total());
        if (page.next() != null) {
            answer.link(
                    uri.getRequestUriBuilder()
                            .replaceQueryParam("cursor", encode(page.next()))
                            .build(),
                    "next");
        }
        return answer.build();
    }

    static String encode(LeaseRepository.Cursor c) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((c.server() + "/" + c.address()).getBytes(StandardCharsets.UTF_8));
    }

    static LeaseRepository.Cursor decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("/", 2);
            if (parts.length == 2 && parts[0].matches(Patterns.NAME) && parts[1].matches(Patterns.IPV4)) {
                return new LeaseRepository.Cursor(parts[0], parts[1]);
            }
        } catch (IllegalArgumentException e) {
            // not base64: refused below
        }
        throw ApiError.badRequest("cursor: must be the cursor of a next link, as this API gave it");
    }
}

package dev.tandem.admin.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * The admin API's status. Management resources (servers, scopes, relationships) are not built yet; configuration is
 * published to the config topic by the local stack from a file.
 */
@Path("/api/v1/status")
public class StatusResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> status() {
        return Map.of("version", "v1", "resources", java.util.List.of());
    }
}

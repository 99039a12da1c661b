package dev.tandem.coordinator.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * The coordinator's status. Failover (the state machine, the partner connection on port 647, binding updates) is not
 * built yet: this service runs no relationship and says so.
 */
@Path("/api/v1/status")
public class StatusResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> status() {
        return Map.of("relationships", java.util.List.of(), "failover", "not available in this version");
    }
}

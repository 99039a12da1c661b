package dev.tandem.admin.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.admin.config.AdminConfig;
import dev.tandem.admin.entity.RelationshipEntity;
import dev.tandem.admin.entity.ServerEntity;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Failover state and operator commands, through each server's coordinator ({@code coordinatorUrl}). A command is
 * confirmed: the answer is the coordinator's, after it made the transition.
 */
@ApplicationScoped
public class Coordinators {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;
    private final java.util.Optional<String> token;

    public Coordinators(AdminConfig config) {
        this.timeout = config.coordinatorTimeout();
        this.token = config.coordinatorToken().filter(t -> !t.isBlank());
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** One server's view of the relationship. */
    public record ServerState(String server, boolean reachable, String error, Map<String, Object> status) {}

    /** Both servers' state of a relationship, each as its coordinator reports it. */
    public List<ServerState> state(String relationship) {
        List<ServerState> out = new ArrayList<>();
        for (ServerEntity s : ends(relationship)) {
            out.add(stateOf(s.name, s.coordinatorUrl, relationship));
        }
        return out;
    }

    /** Every relationship the server's coordinator runs. */
    public ServerState server(String server, String url) {
        if (url == null) {
            return new ServerState(server, false, "no coordinatorUrl configured", null);
        }
        try {
            List<Object> all = JSON.readValue(call("GET", url + "/api/v1/relationships"), new TypeReference<>() {});
            return new ServerState(server, true, null, Map.of("relationships", all));
        } catch (ApiError e) {
            return new ServerState(server, false, e.getMessage(), null);
        } catch (IOException e) {
            return new ServerState(server, false, "unreadable answer: " + e.getMessage(), null);
        }
    }

    /**
     * Sends a command (partner-down, maintenance start or end) to the coordinator of one server of the relationship.
     */
    public Map<String, Object> command(String relationship, String server, String method, String command) {
        ServerEntity target = ends(relationship).stream()
                .filter(s -> s.name.equals(server))
                .findFirst()
                .orElseThrow(() -> ApiError.badRequest("server: must be one of the relationship's servers"));
        if (target.coordinatorUrl == null) {
            throw new ApiError(409, "No coordinator address", "server " + server + " has no coordinatorUrl");
        }
        String answer = call(method, target.coordinatorUrl + "/api/v1/relationships/" + relationship + "/" + command);
        Log.infof("Command %s %s sent to %s for relationship %s: %s", method, command, server, relationship, answer);
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("server", server);
            out.putAll(JSON.readValue(answer, new TypeReference<Map<String, Object>>() {}));
            return out;
        } catch (IOException e) {
            throw new ApiError(502, "Bad answer", "the coordinator of " + server + " answered " + answer);
        }
    }

    /**
     * An operator's lease operation on one server (release one address, reclaim now), through its coordinator to its
     * lease-service; the answer is the lease-service's outcome once committed.
     */
    public Map<String, Object> leaseCommand(String server, String command, String user) {
        String url = coordinatorUrl(server);
        String answer = call("POST", url + "/api/v1/leases/" + command, user);
        Log.infof("Lease command %s sent to %s by %s: %s", command, server, user, answer);
        try {
            return JSON.readValue(answer, new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new ApiError(502, "Bad answer", "the coordinator of " + server + " answered " + answer);
        }
    }

    @Transactional
    String coordinatorUrl(String server) {
        ServerEntity target = ServerService.find(server);
        if (target.coordinatorUrl == null) {
            throw new ApiError(409, "No coordinator address", "server " + server + " has no coordinatorUrl");
        }
        return target.coordinatorUrl;
    }

    @Transactional
    List<ServerEntity> ends(String relationship) {
        RelationshipEntity r = RelationshipService.find(relationship);
        return List.of(ServerService.find(r.primaryServer), ServerService.find(r.secondaryServer));
    }

    private ServerState stateOf(String server, String url, String relationship) {
        if (url == null) {
            return new ServerState(server, false, "no coordinatorUrl configured", null);
        }
        try {
            Map<String, Object> status = JSON.readValue(
                    call("GET", url + "/api/v1/relationships/" + relationship), new TypeReference<>() {});
            return new ServerState(server, true, null, status);
        } catch (ApiError e) {
            return new ServerState(server, e.status() != 504 && e.status() != 502, e.getMessage(), null);
        } catch (IOException e) {
            return new ServerState(server, false, "unreadable answer: " + e.getMessage(), null);
        }
    }

    /** The body of a 2xx answer; otherwise the coordinator's problem passed on, or 502/504 when it cannot answer. */
    private String call(String method, String url) {
        return call(method, url, null);
    }

    private String call(String method, String url, String user) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/json");
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        if (user != null) {
            builder.header("X-Tandem-User", user);
        }
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                return response.body();
            }
            String detail = response.body();
            try {
                Object d = JSON.readValue(detail, Map.class).get("detail");
                detail = d == null ? detail : d.toString();
            } catch (IOException ignored) {
                // not a problem document: pass the text on
            }
            throw new ApiError(response.statusCode(), "Refused by the coordinator", detail);
        } catch (java.net.http.HttpTimeoutException e) {
            throw new ApiError(504, "Coordinator did not answer", url + " did not answer within " + timeout);
        } catch (IOException e) {
            throw new ApiError(502, "Coordinator unreachable", url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "Interrupted", "interrupted");
        }
    }
}

package dev.tandem.admin.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.tandem.admin.service.ApiError;
import dev.tandem.protocol.config.InvalidConfigException;
import io.quarkus.logging.Log;
import jakarta.persistence.OptimisticLockException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal as an RFC 9457 problem document ({@code application/problem+json}), logged once with its reason. */
public class Problems {

    public static final String TYPE = "application/problem+json";

    @ServerExceptionMapper
    public Response apiError(ApiError e, UriInfo uri) {
        return problem(e.status(), e.title(), e.getMessage(), e.errors(), uri);
    }

    @ServerExceptionMapper
    public Response invalidConfig(InvalidConfigException e, UriInfo uri) {
        return problem(
                422,
                "Invalid configuration",
                "the change would leave a server with a configuration its services refuse; nothing was changed",
                e.problems(),
                uri);
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
        List<String> errors = e.getConstraintViolations().stream()
                .map(v -> field(v.getPropertyPath().toString()) + ": " + v.getMessage())
                .sorted()
                .toList();
        return problem(400, "Bad request", "the request does not have the required shape", errors, uri);
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e, UriInfo uri) {
        return problem(400, "Unreadable JSON", e.getOriginalMessage(), List.of(), uri);
    }

    /** A field that does not exist (a typo) or a value of the wrong type. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        String at = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
                .orElse("body");
        String detail = e instanceof UnrecognizedPropertyException u
                ? "unknown field '" + u.getPropertyName() + "'"
                : at + ": " + e.getOriginalMessage();
        return problem(400, "Unreadable JSON", detail, List.of(), uri);
    }

    /** A call without credentials (anonymous) to anything but health: the Basic challenge, with a problem document. */
    @ServerExceptionMapper
    public Response unauthenticated(io.quarkus.security.UnauthorizedException e, UriInfo uri) {
        return Response.fromResponse(problem(
                        401,
                        "Not authenticated",
                        "this call needs credentials: HTTP Basic authentication with a user of the admin API",
                        List.of(),
                        uri))
                .header("WWW-Authenticate", dev.tandem.admin.security.UnauthenticatedProblem.CHALLENGE)
                .build();
    }

    /** A reader's change, or any call its role does not allow (the refusal is also logged by {@code SecurityLog}). */
    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e, UriInfo uri) {
        return problem(403, "Forbidden", "this call needs the admin role", List.of(), uri);
    }

    @ServerExceptionMapper
    public Response concurrent(OptimisticLockException e, UriInfo uri) {
        return problem(
                412,
                "Precondition failed",
                "changed by another request meanwhile: read it again and retry",
                List.of(),
                uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        Response r = e.getResponse();
        if (r.getStatus() == 401 || r.getStatus() == 403) {
            return r;
        }
        return problem(r.getStatus(), r.getStatusInfo().getReasonPhrase(), e.getMessage(), List.of(), uri);
    }

    /** Anything else is this service's fault: said without internals, logged with them. */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        Log.errorf(e, "Unexpected failure of %s", uri == null ? "" : uri.getPath());
        return problem(500, "Internal error", "the request failed; the admin API's log says why", List.of(), uri);
    }

    static Response problem(int status, String title, String detail, List<String> errors, UriInfo uri) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (uri != null) {
            body.put("instance", uri.getPath());
        }
        if (!errors.isEmpty()) {
            body.put("errors", errors);
        }
        if (status >= 500) {
            Log.warnf("%d %s: %s", status, uri == null ? "" : uri.getPath(), detail);
        } else {
            Log.infof(
                    "Refused %d %s: %s%s",
                    status, uri == null ? "" : uri.getPath(), detail, errors.isEmpty() ? "" : " " + errors);
        }
        return Response.status(status).type(TYPE).entity(body).build();
    }

    /** "create.doc.leaseTime" → "leaseTime". */
    private static String field(String path) {
        String[] parts = path.split("\\.");
        return parts.length > 2 ? String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length)) : path;
    }
}

package dev.tandem.admin.security;

import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A call that is not authenticated is answered as every other refusal of the admin API: {@code 401} with a problem
 * document (RFC 9457) saying what is missing, beside the Basic challenge that lets a browser ask for a login. Wrong
 * credentials fail before the REST layer, so they are answered here, by a failure handler of the HTTP router; a call
 * without credentials reaches the REST layer as anonymous and is refused there by its role check ({@code
 * Problems.unauthenticated}). The refusal is logged and counted by {@link SecurityLog}.
 */
@ApplicationScoped
public class UnauthenticatedProblem {

    /** The challenge that makes a browser ask for a user name and password. */
    public static final String CHALLENGE = "Basic realm=\"Tandem\"";

    void install(@Observes Router router) {
        router.route().order(-1).failureHandler(this::wrongCredentials);
    }

    void wrongCredentials(RoutingContext ctx) {
        if (!(ctx.failure() instanceof AuthenticationFailedException)
                || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        ctx.response()
                .setStatusCode(401)
                .putHeader("WWW-Authenticate", CHALLENGE)
                .putHeader("Content-Type", "application/problem+json")
                .end(problem("wrong user name or password", ctx.request().path())
                        .encode());
    }

    /** The problem document of a refused authentication. */
    public static JsonObject problem(String detail, String path) {
        return new JsonObject()
                .put("type", "about:blank")
                .put("title", "Not authenticated")
                .put("status", 401)
                .put("detail", detail)
                .put("instance", path);
    }
}

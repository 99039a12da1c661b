package dev.tandem.coordinator.rest;

import dev.tandem.coordinator.config.CoordinatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Whoever can tell a coordinator "your partner is down" while the partner serves makes both servers hand out the same
 * addresses once MCLT has passed. So every command (any method but GET, HEAD and OPTIONS) needs the command credential
 * ({@code tandem.command-token}, the admin API's); without one configured, commands are refused. State reads stay
 * open unless {@code tandem.open-reads} is false: then they need the credential too. A refusal is counted
 * by reason ({@code tandem_coordinator_commands_refused_total}) and logged once per source address and reason.
 */
public class CommandGuard {

    private static final Set<String> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
    /** Sources already logged, bounded so that a scan from many addresses cannot grow it without end. */
    private static final int LOGGED_MAX = 1000;

    private final Optional<byte[]> token;
    private final boolean openReads;
    private final MeterRegistry metrics;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    public CommandGuard(CoordinatorConfig config, MeterRegistry metrics) {
        this.token = config.commandToken().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.openReads = config.openReads();
        this.metrics = metrics;
        if (token.isEmpty()) {
            Log.warnf(
                    "No command credential configured (tandem.command-token): partner-down and maintenance are"
                            + " refused; state reads %s",
                    openReads ? "stay open" : "too (tandem.open-reads=false)");
        }
    }

    /**
     * Why a request is refused, or empty when it may go on: a command (any method but GET, HEAD, OPTIONS), or with
     * {@code openReads} false any request, needs the credential as {@code Authorization: Bearer}.
     */
    static Optional<String> refusal(String method, String authorization, Optional<byte[]> token, boolean openReads) {
        if (openReads && READS.contains(method)) {
            return Optional.empty();
        }
        if (token.isEmpty()) {
            return Optional.of("commands-disabled");
        }
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return Optional.of("missing-credential");
        }
        if (!MessageDigest.isEqual(
                token.get(), authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of("wrong-credential");
        }
        return Optional.empty();
    }

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext request, HttpServerRequest connection) {
        Optional<String> refused =
                refusal(request.getMethod(), request.getHeaderString(HttpHeaders.AUTHORIZATION), token, openReads);
        if (refused.isEmpty()) {
            return Optional.empty();
        }
        String reason = refused.get();
        metrics.counter("tandem_coordinator_commands_refused_total", "reason", reason)
                .increment();
        String source = connection.remoteAddress() == null
                ? "unknown"
                : connection.remoteAddress().hostAddress();
        if (logged.size() < LOGGED_MAX && logged.add(source + " " + reason)) {
            Log.warnf(
                    "Refused %s %s from %s: %s (logged once per source and reason)",
                    request.getMethod(), request.getUriInfo().getPath(), source, reason);
        }
        return Optional.of(
                token.isEmpty()
                        ? RelationshipResource.problem(
                                403,
                                "Commands are disabled",
                                "this coordinator has no command credential configured (tandem.command-token)")
                        : Response.fromResponse(RelationshipResource.problem(
                                        401,
                                        "Not authenticated",
                                        "this request needs the command credential as Authorization: Bearer"))
                                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                                .build());
    }
}

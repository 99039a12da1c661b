package dev.tandem.admin.security;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.quarkus.security.spi.runtime.AuthorizationFailureEvent;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/** Every refused call is logged once with who, what and why, and counted. */
@ApplicationScoped
public class SecurityLog {

    private final MeterRegistry metrics;

    public SecurityLog(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    void authenticationFailed(@Observes AuthenticationFailureEvent event) {
        metrics.counter("tandem_admin_denied_total", "reason", "unauthenticated")
                .increment();
        Log.warnf(
                "Refused (401) %s: %s",
                request(event.getEventProperties()),
                event.getAuthenticationFailure().getMessage());
    }

    void authorizationFailed(@Observes AuthorizationFailureEvent event) {
        if (event.getSecurityIdentity() == null || event.getSecurityIdentity().isAnonymous()) {
            // a call without credentials fails authorisation, and is answered 401 with a challenge
            metrics.counter("tandem_admin_denied_total", "reason", "unauthenticated")
                    .increment();
            Log.warnf("Refused (401) %s: no credentials", request(event.getEventProperties()));
            return;
        }
        metrics.counter("tandem_admin_denied_total", "reason", "forbidden").increment();
        Log.warnf(
                "Refused (403) %s to %s: not allowed for its role",
                request(event.getEventProperties()),
                event.getSecurityIdentity().getPrincipal().getName());
    }

    private static String request(Map<String, Object> properties) {
        Object ctx = properties.get(RoutingContext.class.getName());
        if (ctx instanceof RoutingContext rc) {
            return rc.request().method() + " " + rc.request().path() + " from "
                    + rc.request().remoteAddress();
        }
        return "a call";
    }
}

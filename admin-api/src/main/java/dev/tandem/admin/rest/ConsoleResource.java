package dev.tandem.admin.rest;

import dev.tandem.admin.api.LeaseView;
import dev.tandem.admin.api.Patterns;
import dev.tandem.admin.api.RelationshipDocument;
import dev.tandem.admin.api.RelationshipView;
import dev.tandem.admin.api.ScopeView;
import dev.tandem.admin.config.AdminConfig;
import dev.tandem.admin.messaging.ScopeStatisticsConsumer;
import dev.tandem.admin.repository.FailoverHistory;
import dev.tandem.admin.repository.LeaseRepository;
import dev.tandem.admin.security.Users;
import dev.tandem.admin.service.ApiError;
import dev.tandem.admin.service.Coordinators;
import dev.tandem.admin.service.RelationshipService;
import dev.tandem.admin.service.ScopeService;
import dev.tandem.protocol.bus.ScopeStatistics;
import io.quarkus.logging.Log;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The operators' console: server-rendered pages (Qute) that htmx refreshes in place, from the same services and read
 * models as the JSON API, with the same users and roles. A reader sees state, scopes and leases; an admin also gets
 * the commands, each behind a confirmation that says what it does. Commands are POSTs that must carry htmx's
 * {@code HX-Request} header, which a form on another site cannot send (so a browser holding an admin's credentials
 * cannot be made to send one from elsewhere).
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Users.READER)
public class ConsoleResource {

    /** How far back the console shows a relationship's state history. */
    static final Duration HISTORY = Duration.ofHours(6);
    /** Below this share of a scope's addresses, a server's own free pool is shown as running low. */
    static final double LOW_FREE = 0.10;

    /** One server of a relationship as its coordinator reports it, ready to show. */
    public record ServerCard(
            String server,
            String partner,
            String role,
            boolean reachable,
            String error,
            String state,
            String since,
            String partnerState,
            boolean communicating,
            String pendingUpdates,
            String clockSkew) {

        /** A CSS class for the state: ok, degraded (serving alone or recovering) or down. */
        public String tone() {
            if (!reachable) {
                return "down";
            }
            return switch (state) {
                case "NORMAL" -> "ok";
                case "PARTNER-DOWN", "COMMUNICATIONS-INTERRUPTED", "RECOVER", "RECOVER-WAIT", "RECOVER-DONE" -> "warn";
                default -> "down";
            };
        }

        public boolean inMaintenance() {
            return "PAUSED".equals(state) || "SHUTDOWN".equals(state);
        }
    }

    /** A relationship with both servers' state and the states they entered lately. */
    public record RelationshipCard(
            RelationshipView relationship, List<ServerCard> servers, List<FailoverHistory.Entry> history) {

        public String split() {
            return relationship.mode().equals("load-balance")
                    ? relationship.primaryServer() + " " + relationship.loadBalancePercent() + " %, "
                            + relationship.secondaryServer() + " " + (100 - relationship.loadBalancePercent()) + " %"
                    : relationship.secondaryServer() + " keeps " + relationship.reservePercent() + " % in reserve";
        }
    }

    /** A scope on one server with its address counts as the server last reported them (null: none yet). */
    public record ScopeBar(ScopeView scope, String role, ScopeStatistics counts) {

        public boolean known() {
            return counts != null;
        }

        /** A share of the scope's addresses, in percent with one decimal, for the bar. */
        public double percent(long n) {
            return counts.total() == 0 ? 0 : Math.round(1000.0 * n / counts.total()) / 10.0;
        }

        /** The free addresses this server may hand out itself: the primary's FREE, the secondary's BACKUP. */
        public long ownFree() {
            return role.equals("secondary") ? counts.backup() : counts.free();
        }

        public boolean low() {
            return known() && counts.total() > 0 && ownFree() < LOW_FREE * counts.total();
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance relationships(List<RelationshipCard> cards, boolean admin, Page page);

        static native TemplateInstance relationshipLive(RelationshipCard card, boolean admin);

        static native TemplateInstance scopes(List<ScopeBar> bars, Page page);

        static native TemplateInstance scopesLive(List<ScopeBar> bars);

        static native TemplateInstance leases(
                Map<String, String> query, List<LeaseView> leases, List<String> errors, boolean searched, Page page);

        static native TemplateInstance lease(String server, String address, List<LeaseView> events, Page page);

        static native TemplateInstance flash(boolean ok, String message);
    }

    /** What every page's frame shows: who is logged in, which page is current, where htmx is served from. */
    public record Page(String title, String current, String user, boolean admin, String htmx) {}

    private static final String HTMX = "/webjars/htmx.org/" + webjarVersion("htmx.org") + "/dist/htmx.min.js";

    private final RelationshipService relationships;
    private final Coordinators coordinators;
    private final FailoverHistory history;
    private final ScopeService scopes;
    private final ScopeStatisticsConsumer statistics;
    private final LeaseRepository leases;
    private final AdminConfig config;
    private final SecurityIdentity identity;
    private final Clock clock;

    public ConsoleResource(
            RelationshipService relationships,
            Coordinators coordinators,
            FailoverHistory history,
            ScopeService scopes,
            ScopeStatisticsConsumer statistics,
            LeaseRepository leases,
            AdminConfig config,
            SecurityIdentity identity,
            Clock clock) {
        this.relationships = relationships;
        this.coordinators = coordinators;
        this.history = history;
        this.scopes = scopes;
        this.statistics = statistics;
        this.leases = leases;
        this.config = config;
        this.identity = identity;
        this.clock = clock;
    }

    // --- pages ------------------------------------------------------------------------------------------------------

    @GET
    public TemplateInstance relationships() {
        List<RelationshipCard> cards = new ArrayList<>();
        for (RelationshipView r : relationships.list()) {
            cards.add(card(r));
        }
        return Templates.relationships(cards, admin(), page("Relationships", "relationships"));
    }

    @GET
    @Path("/relationships/{name}/live")
    public TemplateInstance relationshipLive(@PathParam("name") String name) {
        return Templates.relationshipLive(card(relationships.get(name)), admin());
    }

    @GET
    @Path("/scopes")
    public TemplateInstance scopes() {
        return Templates.scopes(bars(), page("Scopes", "scopes"));
    }

    @GET
    @Path("/scopes/live")
    public TemplateInstance scopesLive() {
        return Templates.scopesLive(bars());
    }

    @GET
    @Path("/leases")
    public TemplateInstance leases(
            @QueryParam("address") String address,
            @QueryParam("hardwareAddress") String hardwareAddress,
            @QueryParam("clientId") String clientId,
            @QueryParam("hostname") String hostname,
            @QueryParam("scope") String scope,
            @QueryParam("server") String server) {
        Map<String, String> query = new java.util.LinkedHashMap<>();
        query.put("address", blankToNull(address));
        query.put("hardwareAddress", blankToNull(hardwareAddress));
        query.put("clientId", blankToNull(clientId));
        query.put("hostname", blankToNull(hostname));
        query.put("scope", blankToNull(scope));
        query.put("server", blankToNull(server));
        List<String> errors = new ArrayList<>();
        check(errors, "Address", query.get("address"), Patterns.IPV4, "an IPv4 address, as 198.18.131.20");
        check(errors, "MAC address", query.get("hardwareAddress"), Patterns.HEX, "hex octets, as 02:00:5e:00:00:01");
        check(errors, "Client id", query.get("clientId"), Patterns.HEX, "hex octets, as 01:02:00:5e:00:00:01");
        check(errors, "Scope", query.get("scope"), Patterns.SUBNET, "a subnet, as 198.18.131.0/24");
        check(errors, "Server", query.get("server"), Patterns.NAME, "a server name, as dhcp-a");
        boolean searched = query.values().stream().anyMatch(v -> v != null);
        List<LeaseView> found = searched && errors.isEmpty()
                ? leases.search(new LeaseRepository.Search(
                        query.get("server"),
                        query.get("scope"),
                        query.get("address"),
                        query.get("hardwareAddress"),
                        query.get("clientId"),
                        query.get("hostname"),
                        null,
                        config.maxSearchResults()))
                : List.of();
        query.replaceAll((k, v) -> v == null ? "" : v);
        return Templates.leases(query, found, errors, searched, page("Leases", "leases"));
    }

    @GET
    @Path("/leases/{server}/{address}")
    public TemplateInstance lease(@PathParam("server") String server, @PathParam("address") String address) {
        if (!server.matches(Patterns.NAME) || !address.matches(Patterns.IPV4)) {
            throw ApiError.notFound("lease " + server + "/" + address);
        }
        return Templates.lease(
                server, address, leases.history(server, address, 200), page("Lease " + address, "leases"));
    }

    // --- commands (admins) ------------------------------------------------------------------------------------------

    @POST
    @Path("/relationships/{name}/partner-down")
    @RolesAllowed(Users.ADMIN)
    public Response partnerDown(
            @HeaderParam("HX-Request") String htmx, @PathParam("name") String name, @QueryParam("server") String s) {
        return coordinatorCommand(htmx, name, s, "POST", "partner-down", s + " was told that its partner is down");
    }

    @POST
    @Path("/relationships/{name}/maintenance")
    @RolesAllowed(Users.ADMIN)
    public Response maintenance(
            @HeaderParam("HX-Request") String htmx, @PathParam("name") String name, @QueryParam("server") String s) {
        return coordinatorCommand(
                htmx, name, s, "POST", "maintenance", s + " hands over to its partner for maintenance");
    }

    @POST
    @Path("/relationships/{name}/maintenance/end")
    @RolesAllowed(Users.ADMIN)
    public Response maintenanceEnd(
            @HeaderParam("HX-Request") String htmx, @PathParam("name") String name, @QueryParam("server") String s) {
        return coordinatorCommand(htmx, name, s, "DELETE", "maintenance", s + " ends maintenance and rejoins");
    }

    @POST
    @Path("/relationships/{name}/replicate")
    @RolesAllowed(Users.ADMIN)
    public Response replicate(
            @HeaderParam("HX-Request") String htmx, @PathParam("name") String name, @QueryParam("from") String from) {
        return command(
                htmx,
                () -> "Copied from " + from + ": " + String.join(", ", relationships.replicate(name, from, null)));
    }

    @POST
    @Path("/relationships/{name}/split")
    @RolesAllowed(Users.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response split(
            @HeaderParam("HX-Request") String htmx,
            @PathParam("name") String name,
            @FormParam("percent") Integer percent) {
        return command(htmx, () -> {
            if (percent == null || percent < 0 || percent > 100) {
                throw ApiError.badRequest("the split must be a percentage from 0 to 100");
            }
            RelationshipView r = relationships.get(name);
            boolean balance = r.mode().equals("load-balance");
            relationships.replace(
                    name,
                    new RelationshipDocument(
                            r.name(),
                            r.primaryServer(),
                            r.secondaryServer(),
                            r.mode(),
                            balance ? percent : r.loadBalancePercent(),
                            balance ? r.reservePercent() : percent,
                            r.mclt(),
                            r.safePeriod(),
                            r.maxResponseDelay(),
                            r.maxUnackedUpdates(),
                            r.loadBalanceMaxSeconds(),
                            r.port(),
                            null,
                            r.tls()),
                    r.version());
            return balance
                    ? name + " now gives " + r.primaryServer() + " " + percent + " % of the clients"
                    : name + " now keeps " + percent + " % of the free addresses in reserve on " + r.secondaryServer();
        });
    }

    @POST
    @Path("/relationships/{name}/scopes")
    @RolesAllowed(Users.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response addScope(
            @HeaderParam("HX-Request") String htmx, @PathParam("name") String name, @FormParam("scope") String scope) {
        return command(htmx, () -> {
            relationships.addScope(name, scope);
            return "Scope " + scope + " joined " + name;
        });
    }

    @POST
    @Path("/relationships/{name}/scopes/remove")
    @RolesAllowed(Users.ADMIN)
    public Response removeScope(
            @HeaderParam("HX-Request") String htmx,
            @PathParam("name") String name,
            @QueryParam("scope") String scope,
            @QueryParam("keepOn") String keepOn) {
        return command(htmx, () -> {
            relationships.removeScope(name, scope, keepOn, false);
            return "Scope " + scope + " left " + name + "; it stays on " + keepOn;
        });
    }

    /** A command to one server's coordinator (partner-down, maintenance start or end), said as {@code done}. */
    private Response coordinatorCommand(
            String htmx, String relationship, String server, String method, String command, String done) {
        return command(htmx, () -> {
            coordinators.command(relationship, server, method, command);
            return done;
        });
    }

    /** Runs a command from the console; its outcome, or why it was refused, as a message for the page. */
    private Response command(String htmx, Supplier<String> action) {
        if (!"true".equals(htmx)) {
            return Response.status(Response.Status.FORBIDDEN)
                    .entity(Templates.flash(false, "Commands are sent from the console's own pages only"))
                    .build();
        }
        try {
            String done = action.get();
            Log.infof("Console: %s (by %s)", done, identity.getPrincipal().getName());
            return Response.ok(Templates.flash(true, done)).build();
        } catch (ApiError e) {
            return Response.ok(Templates.flash(false, e.getMessage())).build();
        }
    }

    // --- models -----------------------------------------------------------------------------------------------------

    private RelationshipCard card(RelationshipView r) {
        List<ServerCard> servers = new ArrayList<>();
        if (!r.empty()) {
            for (Coordinators.ServerState s : coordinators.state(r.name())) {
                servers.add(serverCard(r, s));
            }
        }
        return new RelationshipCard(
                r, servers, history.since(r.name(), clock.instant().minus(HISTORY)));
    }

    private static ServerCard serverCard(RelationshipView r, Coordinators.ServerState s) {
        String partner = s.server().equals(r.primaryServer()) ? r.secondaryServer() : r.primaryServer();
        String role = s.server().equals(r.primaryServer()) ? "primary" : "secondary";
        Map<String, Object> status = s.status() == null ? Map.of() : s.status();
        return new ServerCard(
                s.server(),
                partner,
                role,
                s.reachable() && s.status() != null,
                s.error(),
                text(status.get("state"), "unknown"),
                text(status.get("since"), ""),
                text(status.get("partnerState"), "unknown"),
                Boolean.TRUE.equals(status.get("communicating")),
                text(status.get("pendingUpdates"), "–"),
                text(status.get("clockSkewSeconds"), "–"));
    }

    private List<ScopeBar> bars() {
        Map<String, RelationshipView> byName = new java.util.HashMap<>();
        relationships.list().forEach(r -> byName.put(r.name(), r));
        List<ScopeBar> out = new ArrayList<>();
        for (ScopeView s : scopes.all()) {
            RelationshipView r = s.relationship() == null ? null : byName.get(s.relationship());
            String role = r == null ? "alone" : s.server().equals(r.primaryServer()) ? "primary" : "secondary";
            out.add(new ScopeBar(s, role, statistics.of(s.server(), s.subnet()).orElse(null)));
        }
        out.sort(Comparator.comparing((ScopeBar b) -> b.scope().subnet())
                .thenComparing(b -> b.scope().server()));
        return out;
    }

    private Page page(String title, String current) {
        return new Page(title, current, identity.getPrincipal().getName(), admin(), HTMX);
    }

    private boolean admin() {
        return identity.hasRole(Users.ADMIN);
    }

    private static void check(List<String> errors, String field, String value, String pattern, String expected) {
        if (value != null && !value.matches(pattern)) {
            errors.add(field + " must be " + expected);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String text(Object o, String otherwise) {
        return o == null ? otherwise : String.valueOf(o);
    }

    /** The version of a webjar on the class path, from its Maven metadata. */
    static String webjarVersion(String artifact) {
        try (InputStream in = ConsoleResource.class.getResourceAsStream(
                "/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
            Properties p = new Properties();
            p.load(Optional.ofNullable(in).orElseThrow(() -> new IOException("no webjar " + artifact)));
            return p.getProperty("version");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

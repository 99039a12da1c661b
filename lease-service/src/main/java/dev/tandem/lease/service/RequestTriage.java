package dev.tandem.lease.service;

import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.domain.ClientRequest;
import dev.tandem.lease.domain.RequestKind;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.net.Ipv4;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;

/**
 * What is settled about a lease request before the database: a request too old to answer, of a scope not configured,
 * that cannot be read, of a scope whose failover state does not serve, or an INFORM (answered without a lease), gets
 * its answer here; any other goes on to be decided on its locked rows.
 */
@ApplicationScoped
public class RequestTriage {

    /**
     * The reason given to a request older than {@code tandem.lease.max-request-age}: its gateway has stopped waiting,
     * so it is neither decided nor answered.
     */
    public static final String STALE = "stale-request";

    private final LeaseServiceConfig config;
    private final FailoverView failoverView;

    public RequestTriage(LeaseServiceConfig config, FailoverView failoverView) {
        this.config = config;
        this.failoverView = failoverView;
    }

    Triaged triage(LeaseRequest r, ServerSettings settings, Instant now) {
        if (r == null) {
            return Triaged.answered(LeaseReply.none("undecodable-request"));
        }
        if (r.receivedAt() != null
                && r.receivedAt().plus(config.lease().maxRequestAge()).isBefore(now)) {
            return Triaged.answered(LeaseReply.none(STALE));
        }
        Optional<ScopeConfig> found = settings.scope(r.scope());
        if (found.isEmpty()) {
            return Triaged.answered(LeaseReply.none("unknown-scope"));
        }
        ScopeConfig scope = found.get();
        ClientRequest request;
        try {
            request = toClientRequest(r, settings);
        } catch (IllegalArgumentException e) {
            return Triaged.answered(LeaseReply.none("bad-request"));
        }
        Optional<FailoverView.Context> failover = failoverView.context(settings, scope.id(), now);
        if (failover.isPresent() && !failover.get().serves()) {
            // draft-ietf-dhc-failover-12 §9: this state does not answer (the gateway filters first; this is the guard).
            return Triaged.answered(LeaseReply.none("failover-not-serving"));
        }
        if (request.kind() == RequestKind.INFORM) {
            return Triaged.answered(LeaseReplies.reply("ACK", null, null, scope, r, null));
        }
        return new Triaged(null, r, scope, request, failover);
    }

    static ClientRequest toClientRequest(LeaseRequest r, ServerSettings settings) {
        Ipv4 ciaddr = Ipv4.parse(r.ciaddr());
        Optional<Ipv4> requested = Optional.ofNullable(r.requestedAddress()).map(Ipv4::parse);
        Optional<Ipv4> serverId = Optional.ofNullable(r.serverId()).map(Ipv4::parse);
        RequestKind kind = RequestKind.classify(
                r.messageType(), serverId.isPresent(), requested.isPresent(), !ciaddr.isAny(), r.broadcast());
        return new ClientRequest(
                kind,
                r.clientKey(),
                r.clientId(),
                r.hardwareAddress(),
                ciaddr,
                requested,
                serverId,
                serverId.map(settings.serverIdentifier()::equals).orElse(false));
    }
}

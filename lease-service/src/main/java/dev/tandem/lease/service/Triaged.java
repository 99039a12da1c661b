package dev.tandem.lease.service;

import dev.tandem.lease.domain.ClientRequest;
import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.config.ScopeConfig;
import java.util.Optional;

/**
 * A lease request checked before it reaches the database ({@link RequestTriage}): either answered already
 * ({@code early}), or ready to be decided on the facts it names, with the failover context of its scope (empty: the
 * scope is in no relationship).
 */
record Triaged(
        LeaseReply early,
        LeaseRequest request,
        ScopeConfig scope,
        ClientRequest client,
        Optional<FailoverView.Context> failover) {

    static Triaged answered(LeaseReply reply) {
        return new Triaged(reply, null, null, null, Optional.empty());
    }

    /** The rows to lock for its decision: the client's in the scope, and the address it names. */
    LeaseRepository.Facts facts() {
        return new LeaseRepository.Facts(
                scope.id(), request.clientKey(), client.subjectAddress().orElse(null));
    }
}

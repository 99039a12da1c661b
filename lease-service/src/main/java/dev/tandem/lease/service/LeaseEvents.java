package dev.tandem.lease.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.domain.DnsIntent;
import dev.tandem.lease.domain.LeaseState;
import dev.tandem.lease.repository.LeaseRepository.Client;
import dev.tandem.lease.repository.OutboxRepository.Pending;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.net.Ipv4;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/** Builds lease events for the outbox. The sequence is given by the outbox when the event is stored. */
@ApplicationScoped
public class LeaseEvents {

    private final ObjectMapper mapper;
    private final String server;

    public LeaseEvents(ObjectMapper mapper, LeaseServiceConfig config) {
        this.mapper = mapper;
        this.server = config.server();
    }

    public Pending pending(
            String type, LeaseState state, Ipv4 address, String scope, Client client, Instant at, Instant expiresAt) {
        return pending(type, state, address, scope, client, at, expiresAt, null);
    }

    /** An event that names the DNS records this server registers for the client ({@code dns} null: none). */
    public Pending pending(
            String type,
            LeaseState state,
            Ipv4 address,
            String scope,
            Client client,
            Instant at,
            Instant expiresAt,
            DnsIntent dns) {
        boolean registers = dns != null && dns.updates();
        LeaseEvent event = new LeaseEvent(
                LeaseEvent.VERSION,
                UUID.randomUUID().toString(),
                type,
                server,
                scope,
                address.toString(),
                state.name(),
                client.key(),
                client.hardwareAddress(),
                client.clientId(),
                client.hostname(),
                0,
                at,
                expiresAt,
                registers ? dns.fqdn() : null,
                registers ? dns.forward() : null);
        try {
            return new Pending(address.unsigned(), mapper.writeValueAsString(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("lease event not serialisable", e);
        }
    }
}

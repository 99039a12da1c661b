package dev.tandem.admin.api;

import dev.tandem.protocol.bus.ServerConfig;
import java.util.List;
import java.util.Map;

/**
 * A scope on one server.
 *
 * @param id the subnet's network address, as in the scope's path
 * @param relationship the failover relationship holding it, absent when one server serves it alone
 * @param servedBy this server and, in a relationship, its partner
 */
public record ScopeView(
        String id,
        String server,
        String subnet,
        String name,
        List<ServerConfig.Range> ranges,
        List<ServerConfig.Range> exclusions,
        long leaseTime,
        Long renewalTime,
        Long rebindingTime,
        Map<String, String> options,
        List<ServerConfig.Reservation> reservations,
        ServerConfig.Ddns ddns,
        String relationship,
        List<String> servedBy,
        long version) {}

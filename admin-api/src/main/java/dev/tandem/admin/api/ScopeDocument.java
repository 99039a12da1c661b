package dev.tandem.admin.api;

import dev.tandem.protocol.bus.ServerConfig;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * A scope on one server: its subnet, the ranges it allocates from, what it leaves out, its times, options and
 * reservations. Sent to create or replace one.
 *
 * @param subnet CIDR, e.g. 192.0.2.0/24
 * @param leaseTime seconds
 * @param renewalTime T1 seconds (absent: half the lease time)
 * @param rebindingTime T2 seconds (absent: 7/8 of the lease time)
 * @param options option name or code to its value in text (routers, domain-name-servers, 42, ...)
 * @param ddns dynamic DNS of the scope (absent: none); see docs/ddns.md
 */
public record ScopeDocument(
        @NotBlank String subnet,
        @Size(max = 200) String name,
        @NotEmpty List<ServerConfig.@NotNull Range> ranges,
        List<ServerConfig.@NotNull Range> exclusions,
        @NotNull @Min(60) @Max(31536000) Long leaseTime,
        @Min(1) Long renewalTime,
        @Min(1) Long rebindingTime,
        Map<String, String> options,
        List<ServerConfig.@NotNull Reservation> reservations,
        ServerConfig.Ddns ddns) {

    public ServerConfig.Scope definition(String canonicalSubnet) {
        return new ServerConfig.Scope(
                canonicalSubnet,
                ranges,
                exclusions,
                leaseTime,
                renewalTime,
                rebindingTime,
                options,
                reservations,
                ddns);
    }
}

package dev.tandem.admin.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * A DHCP server: its gateway, lease-service and coordinator share the name. Sent to create or replace one; absent
 * numbers take their defaults.
 *
 * @param serverIdentifier the address clients see in option 54 and unicast to
 * @param failoverAddress the address its coordinator listens on and its partner dials
 * @param failoverPort the default failover port of its relationships (647)
 * @param gatewayAddresses the addresses relays point at (informational, for operators and relays' configuration)
 * @param coordinatorUrl the coordinator's HTTP address, for failover state and commands
 * @param offerTimeout seconds an offered address stays held (30)
 * @param declineProbation seconds a declined address stays out of use (600)
 */
public record ServerDocument(
        @Pattern(regexp = Patterns.NAME, message = Patterns.NAME_MESSAGE) String name,
        @NotBlank @Pattern(regexp = Patterns.IPV4, message = Patterns.IPV4_MESSAGE) String serverIdentifier,
        @NotBlank @Pattern(regexp = Patterns.IPV4, message = Patterns.IPV4_MESSAGE) String failoverAddress,
        @Min(1) @Max(65535) Integer failoverPort,
        List<@Pattern(regexp = Patterns.IPV4, message = Patterns.IPV4_MESSAGE) String> gatewayAddresses,
        @Pattern(regexp = "https?://[^\\s]+", message = "must be an http(s) URL") String coordinatorUrl,
        @Min(1) @Max(3600) Long offerTimeout,
        @Min(0) @Max(2592000) Long declineProbation) {}

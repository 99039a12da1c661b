package dev.tandem.admin.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A failover relationship (draft-ietf-dhc-failover-12; the parameters of Windows and ISC failover). Sent to create or
 * replace one; absent numbers take their defaults.
 *
 * @param mode load-balance or hot-standby
 * @param loadBalancePercent load-balance: the primary's share of clients and free addresses (50)
 * @param reservePercent hot-standby: the standby's share of free addresses (5)
 * @param mclt maximum client lead time, seconds (3600)
 * @param safePeriod seconds in COMMUNICATIONS-INTERRUPTED before PARTNER-DOWN on its own; 0: never (0)
 * @param maxResponseDelay seconds without a message before communication counts as lost (60)
 * @param maxUnackedUpdates binding updates the partner may have in flight (100)
 * @param loadBalanceMaxSeconds a client whose secs exceed this is answered by both (3)
 * @param port the failover port of both coordinators (the primary's failoverPort)
 * @param sharedSecret write-only: authenticates every failover message (HMAC-SHA256). On replace, absent keeps the
 *     current secret and "" removes it
 */
public record RelationshipDocument(
        @Size(min = 1, max = 126)
                @Pattern(regexp = "[A-Za-z0-9._-]+", message = "must be letters, digits, '.', '_' or '-'")
                String name,
        @NotBlank String primaryServer,
        @NotBlank String secondaryServer,
        @Pattern(regexp = "load-balance|hot-standby", message = "must be load-balance or hot-standby") String mode,
        @Min(0) @Max(100) Integer loadBalancePercent,
        @Min(0) @Max(100) Integer reservePercent,
        @Min(1) @Max(2592000) Long mclt,
        @Min(0) Long safePeriod,
        @Min(3) @Max(3600) Long maxResponseDelay,
        @Min(1) @Max(1000) Integer maxUnackedUpdates,
        @Min(0) @Max(3600) Integer loadBalanceMaxSeconds,
        @Min(1) @Max(65535) Integer port,
        @Size(max = 256) String sharedSecret,
        Boolean tls) {}

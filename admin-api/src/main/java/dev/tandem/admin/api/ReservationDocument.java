package dev.tandem.admin.api;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A reservation of one address of a scope for one client, matched by its client identifier (option 61) first, then by
 * its hardware address; at least one of them. Sent to create or replace the reservation of the address in the path.
 *
 * @param hardwareAddress e.g. 02:42:c0:a8:00:14
 * @param clientId hexadecimal, e.g. 01:02:42:c0:a8:00:14
 * @param hostname offered to the client (option 12)
 */
public record ReservationDocument(
        @Size(max = 60) @Pattern(regexp = "[0-9a-fA-F:.-]*", message = "hexadecimal octets") String hardwareAddress,
        @Size(max = 800) @Pattern(regexp = "[0-9a-fA-F:.-]*", message = "hexadecimal octets") String clientId,
        @Size(max = 253) String hostname) {}

package dev.tandem.admin.api;

import java.time.Instant;

/** The latest known state of an address on a server, from the lease events. */
public record LeaseView(
        String server,
        String address,
        String scope,
        String state,
        String lastEvent,
        String hardwareAddress,
        String clientId,
        String hostname,
        Instant expiresAt,
        Instant updatedAt) {}

package dev.tandem.admin.api;

import java.util.List;

/**
 * A failover relationship as stored. The shared secret is never returned; {@code sharedSecretSet} says whether there is
 * one. A relationship is {@code empty} until its first scope joins; only then do its servers run it.
 */
public record RelationshipView(
        String name,
        String primaryServer,
        String secondaryServer,
        String mode,
        int loadBalancePercent,
        int reservePercent,
        long mclt,
        long safePeriod,
        long maxResponseDelay,
        int maxUnackedUpdates,
        int loadBalanceMaxSeconds,
        int port,
        boolean sharedSecretSet,
        boolean tls,
        List<String> scopes,
        boolean empty,
        long version) {}

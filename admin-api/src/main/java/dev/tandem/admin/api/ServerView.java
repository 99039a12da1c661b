package dev.tandem.admin.api;

import java.util.List;

/** A server as stored, with what is configured on it and whether its configuration is published. */
public record ServerView(
        String name,
        String serverIdentifier,
        String failoverAddress,
        int failoverPort,
        List<String> gatewayAddresses,
        String coordinatorUrl,
        long offerTimeout,
        long declineProbation,
        List<String> scopes,
        List<String> relationships,
        long configRevision,
        boolean configPublished,
        long version) {}

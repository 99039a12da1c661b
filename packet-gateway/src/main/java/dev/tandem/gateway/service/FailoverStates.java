package dev.tandem.gateway.service;

import dev.tandem.protocol.bus.FailoverStatuses;
import jakarta.enterprise.context.ApplicationScoped;

/** This server's failover state per relationship, from the coordinator's compacted topic. */
@ApplicationScoped
public class FailoverStates extends FailoverStatuses {}

package dev.tandem.protocol.bus;

import java.util.ArrayList;
import java.util.List;

/**
 * Every topic a deployment needs, with its partitions and cleanup policy: the one table the chart's topics (Strimzi
 * {@code KafkaTopic}s, or the hook Job for an external Kafka) are checked against. Topics whose order matters across
 * keys (binding updates and their end-of-resend markers, the failover state, commands) have one partition; the
 * request-reply topics of the DHCP path and the lease events spread over {@code partitions}, for replicas. Compacted
 * topics keep the latest record of each key (a server's configuration, a relationship's failover state, a scope's
 * statistics) and roll a segment an hour so that compaction keeps them short.
 */
public final class TopicPlan {

    /** Segment roll of the compacted topics, ms. */
    public static final long COMPACTED_SEGMENT_MS = 3_600_000;

    /** A topic: its name, partitions and whether it is compacted (else records are deleted after the retention). */
    public record Topic(String name, int partitions, boolean compacted) {}

    private TopicPlan() {}

    /** The shared topics and each server's own. */
    public static List<Topic> topics(List<String> servers, int partitions) {
        List<Topic> out = new ArrayList<>();
        out.add(new Topic(Topics.CONFIG, 1, true));
        out.add(new Topic(Topics.LEASE_EVENTS, partitions, false));
        out.add(new Topic(Topics.SCOPE_STATISTICS, 1, true));
        for (String s : servers) {
            out.add(new Topic(Topics.leaseRequests(s), partitions, false));
            out.add(new Topic(Topics.leaseReplies(s), partitions, false));
            out.add(new Topic(Topics.failoverState(s), 1, true));
            out.add(new Topic(Topics.bindingUpdates(s), 1, false));
            out.add(new Topic(Topics.bindingAcks(s), 1, false));
            out.add(new Topic(Topics.partnerUpdates(s), partitions, false));
            out.add(new Topic(Topics.partnerUpdateReplies(s), 1, false));
            out.add(new Topic(Topics.failoverCommands(s), 1, false));
            out.add(new Topic(Topics.serviceHealth(s), 1, false));
            out.add(new Topic(Topics.leaseCommands(s), 1, false));
            out.add(new Topic(Topics.leaseCommandReplies(s), 1, false));
        }
        return List.copyOf(out);
    }
}

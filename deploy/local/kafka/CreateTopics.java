import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the local stack's topics in one Admin request (one JVM instead of one per topic):
 * {@code java -cp 'kafka-lib/*' CreateTopics.java BOOTSTRAP NAME:PARTITIONS:CLEANUP-POLICY...}. Existing topics are
 * left as they are.
 */
public class CreateTopics {
    public static void main(String[] args) throws InterruptedException {
        List<NewTopic> topics = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String[] t = args[i].split(":");
            // a compacted topic rolls a segment every hour, so that compaction keeps it short: the failover state is
            // republished every second
            topics.add(new NewTopic(t[0], Integer.parseInt(t[1]), (short) 1)
                    .configs(
                            t[2].equals("compact")
                                    ? Map.of("cleanup.policy", t[2], "segment.ms", "3600000")
                                    : Map.of("cleanup.policy", t[2])));
        }
        int failed = 0;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]))) {
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get();
                    System.out.println("Created topic " + entry.getKey());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        System.out.println("Topic " + entry.getKey() + " exists");
                    } else {
                        System.err.println("Topic " + entry.getKey() + " not created: " + e.getCause());
                        failed++;
                    }
                }
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}

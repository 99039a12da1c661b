import dev.tandem.protocol.access.BusAccess;
import java.io.FileReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Makes a local broker ready for Tandem in one Admin session (one JVM instead of one per step), as the super user:
 * <ol>
 *   <li>each principal's SCRAM-SHA-512 credential from its password file ({@code USERS-DIR/<principal>.password});
 *   <li>the topics, {@code NAME:PARTITIONS:CLEANUP-POLICY}; existing ones are left as they are;
 *   <li>the ACLs of {@link BusAccess} for these servers: each principal may use only its own topics and groups.
 * </ol>
 * {@code java -cp 'kafka-lib/*:protocol.jar' Provision.java CLIENT-PROPERTIES BOOTSTRAP SERVER,SERVER USERS-DIR TOPIC...}
 * Every step is idempotent.
 */
public class Provision {
    public static void main(String[] args) throws Exception {
        Map<String, Object> config = new HashMap<>();
        Properties client = new Properties();
        try (Reader in = new FileReader(args[0])) {
            client.load(in);
        }
        client.forEach((k, v) -> config.put((String) k, v));
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
        List<String> servers = List.of(args[2].split(","));
        Path users = Path.of(args[3]);
        int failed = 0;
        try (Admin admin = Admin.create(config)) {
            admin.alterUserScramCredentials(credentials(users, client)).all().get();
            System.out.println("SCRAM credentials set");
            failed += createTopics(admin, List.of(args).subList(4, args.length));
            List<AclBinding> acls = BusAccess.grants(servers).stream().map(Provision::acl).toList();
            admin.createAcls(acls).all().get();
            System.out.println(acls.size() + " ACLs in force");
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Every principal but the super user this runs as, whose credential the broker was formatted with. */
    private static List<UserScramCredentialAlteration> credentials(Path users, Properties self) throws IOException {
        String jaas = self.getProperty("sasl.jaas.config");
        List<UserScramCredentialAlteration> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(users)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".password")).toList()) {
                String user = file.getFileName().toString().replace(".password", "");
                if (!jaas.contains("username=\"" + user + "\"")) {
                    out.add(new UserScramCredentialUpsertion(
                            user,
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                            Files.readString(file).trim()));
                }
            }
        }
        return out;
    }

    private static int createTopics(Admin admin, List<String> specs) throws InterruptedException {
        List<NewTopic> topics = new ArrayList<>();
        for (String spec : specs) {
            String[] t = spec.split(":");
            // a compacted topic rolls a segment every hour, so that compaction keeps it short: the failover state is
            // republished every second
            topics.add(new NewTopic(t[0], Integer.parseInt(t[1]), (short) 1)
                    .configs(
                            t[2].equals("compact")
                                    ? Map.of("cleanup.policy", t[2], "segment.ms", "3600000")
                                    : Map.of("cleanup.policy", t[2])));
        }
        int failed = 0;
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
        return failed;
    }

    private static AclBinding acl(BusAccess.Grant grant) {
        ResourcePattern resource = grant.resource() == BusAccess.Resource.TOPIC
                ? new ResourcePattern(ResourceType.TOPIC, grant.name(), PatternType.LITERAL)
                : new ResourcePattern(ResourceType.GROUP, grant.name(), PatternType.PREFIXED);
        AclOperation operation =
                grant.operation() == BusAccess.Operation.READ ? AclOperation.READ : AclOperation.WRITE;
        return new AclBinding(
                resource,
                new AccessControlEntry("User:" + grant.principal(), "*", operation, AclPermissionType.ALLOW));
    }
}

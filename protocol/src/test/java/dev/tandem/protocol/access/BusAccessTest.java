package dev.tandem.protocol.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.access.BusAccess.Grant;
import dev.tandem.protocol.access.BusAccess.Operation;
import dev.tandem.protocol.access.BusAccess.Resource;
import dev.tandem.protocol.bus.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ACL table against what each service really does: every topic a service's channels read or write, and every
 * consumer group they use, is granted to that service's principal, and nothing else is (least privilege).
 */
class BusAccessTest {

    private static final String SERVER = "dhcp-a";
    private static final Map<String, String> MODULES = Map.of(
            "gateway",
            "packet-gateway",
            "lease-service",
            "lease-service",
            "coordinator",
            "failover-coordinator",
            BusAccess.ADMIN_API,
            "admin-api");
    private static final Pattern CHANNEL = Pattern.compile(
            "mp\\.messaging\\.(incoming|outgoing)\\.([a-z-]+)\\.(topic|reply\\.topic|group\\.id|reply\\.group\\.id)");

    /** What a service's channels use, from its application.properties. */
    private record Uses(Set<Grant> topics, Set<String> groups) {}

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "lease-service", "coordinator", BusAccess.ADMIN_API})
    void eachServiceIsGrantedExactlyWhatItsChannelsUse(String service) throws IOException {
        String principal = service.equals(BusAccess.ADMIN_API) ? service : BusAccess.principal(SERVER, service);
        Uses uses = uses(service, principal);
        List<Grant> granted = BusAccess.grants(List.of(SERVER, "dhcp-b")).stream()
                .filter(g -> g.principal().equals(principal))
                .toList();

        Set<Grant> topicGrants =
                granted.stream().filter(g -> g.resource() == Resource.TOPIC).collect(Collectors.toSet());
        Set<Grant> expected = new HashSet<>(uses.topics());
        if (service.equals("coordinator")) {
            // StateStore reads the state it last published, at start, with a consumer of its own
            expected.add(new Grant(principal, Resource.TOPIC, Topics.failoverState(SERVER), Operation.READ));
        }
        assertThat(topicGrants).isEqualTo(expected);

        List<String> prefixes = granted.stream()
                .filter(g -> g.resource() == Resource.GROUP_PREFIX)
                .map(Grant::name)
                .toList();
        assertThat(prefixes).hasSize(1);
        assertThat(uses.groups()).isNotEmpty().allSatisfy(group -> assertThat(group)
                .startsWith(prefixes.get(0)));
    }

    @Test
    void noPrincipalOfOneServerMayTouchTheOtherServersTopics() {
        List<Grant> all = BusAccess.grants(List.of("dhcp-a", "dhcp-b"));
        assertThat(all)
                .filteredOn(g -> g.principal().startsWith("dhcp-a-"))
                .isNotEmpty()
                .noneMatch(g -> g.name().contains("dhcp-b"));
        assertThat(all)
                .filteredOn(g -> g.principal().startsWith("dhcp-b-"))
                .isNotEmpty()
                .noneMatch(g -> g.name().contains("dhcp-a"));
    }

    @Test
    void onlyTheAdminApiAndTheMirrorWriteTheConfigurationAndOnlyTheCoordinatorSteersItsServer() {
        List<Grant> all = BusAccess.grants(List.of("dhcp-a", "dhcp-b"));
        assertThat(writers(all, Topics.CONFIG)).containsExactlyInAnyOrder(BusAccess.ADMIN_API, BusAccess.MIRROR);
        assertThat(writers(all, Topics.failoverCommands("dhcp-a"))).containsExactly("dhcp-a-coordinator");
        assertThat(writers(all, Topics.partnerUpdates("dhcp-a"))).containsExactly("dhcp-a-coordinator");
        assertThat(writers(all, Topics.failoverState("dhcp-a"))).containsExactly("dhcp-a-coordinator");
        assertThat(writers(all, Topics.leaseReplies("dhcp-b"))).containsExactly("dhcp-b-lease-service");
    }

    private static List<String> writers(List<Grant> grants, String topic) {
        return grants.stream()
                .filter(g -> g.resource() == Resource.TOPIC
                        && g.operation() == Operation.WRITE
                        && g.name().equals(topic))
                .map(Grant::principal)
                .toList();
    }

    private static Uses uses(String service, String principal) throws IOException {
        Properties p = new Properties();
        Path file = Path.of("..", MODULES.get(service), "src/main/resources/application.properties");
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        Set<Grant> topics = new HashSet<>();
        Set<String> groups = new HashSet<>();
        for (String key : p.stringPropertyNames()) {
            Matcher m = CHANNEL.matcher(key);
            if (!m.matches()) {
                continue;
            }
            String value = p.getProperty(key).replace("${tandem.server}", SERVER);
            switch (m.group(3)) {
                case "topic" -> topics.add(new Grant(
                        principal,
                        Resource.TOPIC,
                        value,
                        m.group(1).equals("incoming") ? Operation.READ : Operation.WRITE));
                case "reply.topic" -> topics.add(new Grant(principal, Resource.TOPIC, value, Operation.READ));
                default -> groups.add(value);
            }
        }
        assertThat(topics).as("channels of " + file).isNotEmpty();
        return new Uses(topics, groups);
    }
}

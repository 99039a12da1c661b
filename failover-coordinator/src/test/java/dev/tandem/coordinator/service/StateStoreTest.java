package dev.tandem.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.testsupport.ServerConfigs;
import dev.tandem.testsupport.TandemTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a starting coordinator reads ahead on the real configuration topic. */
@QuarkusTest
@QuarkusTestResource(value = TandemTestResources.class, restrictToAnnotatedClass = true)
class StateStoreTest {

    @Inject
    StateStore store;

    static ServerConfig revision(String server, long revision, String subnet) {
        ServerConfig c = ServerConfigs.oneScope(subnet, "10.9.0.10", "10.9.0.20", 600, Map.of(), List.of());
        return new ServerConfig(
                c.version(),
                server,
                revision,
                c.serverIdentifier(),
                c.offerTimeout(),
                c.declineProbation(),
                c.scopes(),
                null);
    }

    @Test
    void theNewestValidRevisionOfThisServerIsWhatAStartingCoordinatorApplies() {
        assertThat(store.newestValidConfigRevision("dhcp-r")).isEqualTo(-1);
        ServerConfigs.publish(revision("dhcp-r", 5, "10.9.0.0/24"));
        ServerConfigs.publish(revision("dhcp-r", 7, "10.9.0.0/24"));
        // newer but refused (the range is outside the subnet): the newest valid one stays in force
        ServerConfigs.publish(revision("dhcp-r", 9, "10.8.0.0/24"));
        ServerConfigs.publish(revision("dhcp-q", 20, "10.9.0.0/24")); // another server's

        assertThat(store.newestValidConfigRevision("dhcp-r")).isEqualTo(7);
        assertThat(store.newestValidConfigRevision("dhcp-q")).isEqualTo(20);
    }
}

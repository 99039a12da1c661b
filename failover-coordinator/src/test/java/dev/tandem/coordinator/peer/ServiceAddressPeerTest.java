package dev.tandem.coordinator.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.coordinator.peer.AuthenticatedPeerTest.Peer;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Relationship;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.MessageType;
import dev.tandem.testsupport.ServerConfigs;
import dev.tandem.testsupport.TandemTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Behind a Kubernetes Service the partner connects from an address that is not its configured one. With
 * {@code tandem.failover.listen-address} set, a connection from any source is accepted when it is authenticated by the
 * shared secret, and refused, as always, when the relationship has no secret.
 */
@QuarkusTest
@TestProfile(ServiceAddressPeerTest.Profile.class)
@QuarkusTestResource(value = TandemTestResources.class, restrictToAnnotatedClass = true)
class ServiceAddressPeerTest {

    static final String SERVER = "dhcp-l";
    static final int SIGNED = 16490;
    static final int UNSIGNED = 16492;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tandem.server", SERVER, "tandem.failover.listen-address", "0.0.0.0");
        }
    }

    @BeforeAll
    static void configure() {
        ServerConfig base = ServerConfigs.oneScope(
                "192.0.2.0/24", "192.0.2.10", "192.0.2.20", 600, Map.of("routers", "192.0.2.1"), List.of());
        ServerConfig other =
                ServerConfigs.oneScope("198.51.100.0/24", "198.51.100.10", "198.51.100.20", 600, Map.of(), List.of());
        ServerConfig both = new ServerConfig(
                base.version(),
                SERVER,
                base.revision(),
                base.serverIdentifier(),
                base.offerTimeout(),
                base.declineProbation(),
                List.of(base.scopes().get(0), other.scopes().get(0)));
        // the partner is configured at 127.0.0.9, but the test connects from 127.0.0.1, as through a Service
        ServerConfigs.publish(ServerConfigs.withFailover(
                both,
                SERVER,
                relationship("fo", SIGNED, AuthenticatedPeerTest.SECRET, "192.0.2.0/24"),
                relationship("fo-open", UNSIGNED, null, "198.51.100.0/24")));
    }

    static Relationship relationship(String name, int port, String secret, String scope) {
        return new Relationship(
                name,
                "secondary",
                "load-balance",
                "127.0.0.1",
                port,
                "127.0.0.9",
                port + 1,
                60L,
                null,
                null,
                null,
                10L,
                10,
                3,
                secret,
                List.of(scope));
    }

    @Test
    void anAuthenticatedPartnerIsAcceptedFromAnyAddress() throws Exception {
        try (Peer peer = new Peer(AuthenticatedPeerTest.SECRET, SIGNED)) {
            peer.send(AuthenticatedPeerTest.connect(1));
            FailoverMessage ack = peer.read();
            assertThat(ack.messageType()).contains(MessageType.CONNECTACK);
            assertThat(FailoverMessages.rejectReason(ack)).isEmpty();
        }
    }

    @Test
    void withoutASecretOnlyTheConfiguredAddressMayConnect() throws Exception {
        try (Peer peer = new Peer(null, UNSIGNED)) {
            assertThat(peer.closedByServer()).isTrue();
        }
    }
}

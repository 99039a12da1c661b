package dev.tandem.lease.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Range;
import dev.tandem.protocol.bus.ServerConfig.Scope;
import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.testsupport.TandemTestResources;
import dev.tandem.testsupport.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Who owns each free address of a scope (FREE: the primary, BACKUP: the secondary) as configurations come and go, on
 * a real PostgreSQL: the split is made when a scope joins a relationship and kept, also by a restarted lease-service,
 * when the mode or the percentage changes within it. Both servers must agree on every owner, or both hand out one
 * address. The service runs as a server of its own, to which no configuration is published, so only the calls here
 * touch the rows of its database (another server's configuration, applied there, would make them its own).
 */
@QuarkusTest
@TestProfile(PoolSplitTest.Profile.class)
@QuarkusTestResource(
        value = TandemTestResources.class,
        initArgs = @ResourceArg(name = "database", value = "lease_split"),
        restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolSplitTest {

    static final String SERVER = "dhcp-split";
    static final String SCOPE = "198.51.100.0/28";
    /** Pool 198.51.100.1 – .10: every address's index is its last octet minus one. */
    static final int POOL = 10;

    static long revision = 1;

    /** Its own server name: the configurations other tests publish are not for it. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tandem.server", SERVER);
        }
    }

    @Inject
    PoolSync pools;

    /** A configuration with the scope alone (mode null) or in relationship {@code name} as secondary. */
    static ServerSettings settings(String name, String mode, Integer percent) {
        List<ServerConfig.Relationship> relationships = mode == null
                ? List.of()
                : List.of(new ServerConfig.Relationship(
                        name,
                        "secondary",
                        mode,
                        "127.0.0.1",
                        16490,
                        "127.0.0.2",
                        16490,
                        60L,
                        mode.equals("load-balance") ? percent : null,
                        mode.equals("hot-standby") ? percent : null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of(SCOPE)));
        return ConfigValidator.validate(new ServerConfig(
                1,
                SERVER,
                revision++,
                "198.51.100.14",
                30,
                600,
                List.of(new Scope(
                        SCOPE,
                        List.of(new Range("198.51.100.1", "198.51.100.10")),
                        List.of(),
                        600,
                        null,
                        null,
                        Map.of(),
                        List.of())),
                relationships));
    }

    void apply(ServerSettings settings) {
        pools.syncPools(settings, Instant.now()).await().atMost(Duration.ofSeconds(30));
    }

    /** The last octets of the scope's BACKUP addresses, in order. */
    static List<Integer> backup() throws Exception {
        List<Integer> out = new ArrayList<>();
        try (Connection c = TestPostgres.connect("lease_split");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT address FROM lease WHERE scope = '" + SCOPE
                        + "' AND in_pool AND backup ORDER BY address")) {
            while (rs.next()) {
                out.add((int) (rs.getLong(1) & 0xff));
            }
        }
        return out;
    }

    static void sql(String statement) throws Exception {
        try (Connection c = TestPostgres.connect("lease_split");
                Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }

    @Test
    @Order(1)
    void aScopeAloneHasNoBackupAddresses() throws Exception {
        apply(settings(null, null, null));
        assertThat(backup()).isEmpty();
    }

    @Test
    @Order(2)
    void joiningARelationshipSplitsTheFreeAddressesEvenly() throws Exception {
        apply(settings("fo", "load-balance", 80)); // the secondary's share: 20 %, every fifth address
        assertThat(backup()).containsExactly(5, 10);
    }

    @Test
    @Order(3)
    void aModeOrPercentageChangeWithinTheRelationshipKeepsEveryOwner() throws Exception {
        // No earlier configuration is held in memory (a restarted lease-service has none): the database decides.
        apply(settings("fo", "load-balance", 50));
        assertThat(backup()).containsExactly(5, 10);
        apply(settings("fo", "hot-standby", 10));
        assertThat(backup()).containsExactly(5, 10);
    }

    @Test
    @Order(4)
    void leavingKeepsTheRowsAndRejoiningSplitsEveryFreeOne() throws Exception {
        apply(settings(null, null, null));
        assertThat(backup()).containsExactly(5, 10); // unused outside a relationship: any free address is allocated
        // .2 was changed since (a lease, say), .4 is bound: the free ones, changed or not, take the new split, as on
        // the partner, which may have none of this history (a scope that left it); a bound one keeps its owner
        sql("UPDATE lease SET update_seq = nextval('binding_update_seq') WHERE address = " + (0xC6336400L + 2));
        sql("UPDATE lease SET state = 'ACTIVE', client_key = 'hw:1:02005e330004', expires_at = now() + interval"
                + " '1 hour' WHERE address = " + (0xC6336400L + 4));
        apply(settings("fo2", "load-balance", 50));
        assertThat(backup()).containsExactly(2, 6, 8, 10);
        sql("UPDATE lease SET state = 'FREE', client_key = NULL, expires_at = NULL WHERE address = "
                + (0xC6336400L + 4));
        apply(settings("fo3", "load-balance", 80));
        assertThat(backup()).containsExactly(5, 10);
    }
}

package dev.tandem.lease.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.lease.TestConfigs;
import dev.tandem.lease.config.LeaseServiceConfig;
import dev.tandem.lease.repository.AddressAllocator;
import dev.tandem.lease.repository.LeaseRepository;
import dev.tandem.lease.repository.OutboxRepository;
import dev.tandem.protocol.bus.ClientKeys;
import dev.tandem.protocol.bus.LeaseReply;
import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.testsupport.TandemTestResources;
import dev.tandem.testsupport.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two lease-service replicas (separate connection pools, as separate processes would have) serve many clients at once
 * on one database: the database decides, and no address is ever committed to two clients.
 */
@QuarkusTest
@QuarkusTestResource(
        value = TandemTestResources.class,
        initArgs = @ResourceArg(name = "database", value = "lease_replicas"),
        restrictToAnnotatedClass = true)
class TwoReplicasTest {

    @Inject
    LeaseService replicaA;

    @Inject
    LeaseServiceConfig config;

    @Inject
    ConfigHolder holder;

    @Inject
    LeaseEvents events;

    @Inject
    MeterRegistry metrics;

    @Inject
    Clock clock;

    @Inject
    Vertx vertx;

    static LeaseRequest request(String type, int client, String requested) {
        String mac = String.format("02005e%06x", client);
        return new LeaseRequest(
                LeaseRequest.VERSION,
                TestConfigs.SERVER,
                "192.0.2.0/24",
                type,
                ClientKeys.of(null, 1, HexFormat.of().parseHex(mac)),
                1,
                mac,
                null,
                client,
                "0.0.0.0",
                "192.0.2.1",
                requested,
                requested == null ? null : "192.0.2.1",
                null,
                null,
                null,
                List.of(1, 3),
                true,
                Instant.now());
    }

    /** The standard configuration in force, and every address of its scope free again (each test takes many). */
    private void configured() throws Exception {
        TestConfigs.publish(TestConfigs.standard(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> holder.current().isPresent());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Connection c = TestPostgres.connect("lease_replicas");
                    Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE lease SET state = 'FREE', client_key = NULL, expires_at = NULL"
                        + " WHERE scope = '192.0.2.0/24' AND reserved_for IS NULL");
                try (ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM lease WHERE scope = '192.0.2.0/24' AND in_pool AND state = 'FREE'")) {
                    rs.next();
                    return rs.getInt(1) >= 48;
                }
            }
        });
    }

    @Test
    void concurrentReplicasNeverBindOneAddressTwice() throws Exception {
        configured();

        PgPool secondPool = PgPool.pool(
                vertx,
                new PgConnectOptions()
                        .setHost("localhost")
                        .setPort(TestPostgres.port())
                        .setDatabase("lease_replicas")
                        .setUser("postgres")
                        .setPassword("postgres"),
                new PoolOptions().setMaxSize(4));
        LeaseRepository secondRepository = new LeaseRepository(secondPool);
        LeaseService replicaB = new LeaseService(
                holder,
                new RequestTriage(config, new FailoverView("00000000-0000-0000-0000-000000000001")),
                new DecisionWriter(holder, secondRepository, new AddressAllocator(), events, metrics, config),
                secondRepository,
                new OutboxRepository(secondPool),
                metrics,
                clock);
        try {
            // 80 clients for a pool of 48 addresses, in batches split between the two replicas at the same time.
            int clients = 80;
            List<Uni<List<LeaseReply>>> offers = new ArrayList<>();
            for (int batch = 0; batch < clients / 10; batch++) {
                List<LeaseRequest> requests = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    requests.add(request("DISCOVER", 1000 + batch * 10 + i, null));
                }
                offers.add((batch % 2 == 0 ? replicaA : replicaB).handle(requests));
            }
            List<LeaseReply> offered =
                    Uni.join().all(offers).andFailFast().await().atMost(Duration.ofSeconds(60)).stream()
                            .flatMap(List::stream)
                            .toList();

            Map<Integer, String> offeredTo = new HashMap<>();
            List<Uni<List<LeaseReply>>> acks = new ArrayList<>();
            for (int i = 0; i < offered.size(); i++) {
                if ("OFFER".equals(offered.get(i).action())) {
                    offeredTo.put(1000 + i, offered.get(i).address());
                    // Request through the replica that did not make the offer.
                    acks.add((i / 10 % 2 == 0 ? replicaB : replicaA)
                            .handle(List.of(
                                    request("REQUEST", 1000 + i, offered.get(i).address()))));
                }
            }
            List<LeaseReply> acked = Uni.join().all(acks).andFailFast().await().atMost(Duration.ofSeconds(60)).stream()
                    .flatMap(List::stream)
                    .toList();

            assertThat(offeredTo).hasSize(48); // every pool address offered once, the rest refused
            assertThat(offered)
                    .filteredOn(r -> r.action().equals("NONE"))
                    .extracting(LeaseReply::reason)
                    .containsOnly("pool-exhausted");
            assertThat(offeredTo.values()).doesNotHaveDuplicates();
            assertThat(acked).extracting(LeaseReply::action).containsOnly("ACK");
            assertThat(acked).extracting(LeaseReply::address).doesNotHaveDuplicates();

            try (Connection c = TestPostgres.connect("lease_replicas");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT client_key) FROM lease"
                            + " WHERE state = 'ACTIVE' AND scope = '192.0.2.0/24'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(48);
                assertThat(rs.getInt(2)).isEqualTo(48);
            }
        } finally {
            secondPool.closeAndAwait();
        }
    }

    @Test
    void oneClientsRequestsInABatchAreDecidedInOrderWhileOthersArePipelined() throws Exception {
        configured();
        double retriedBefore =
                metrics.counter("tandem_lease_batch_retried_total").count();
        // A retransmitted DISCOVER among other clients' DISCOVERs, in one batch.
        List<LeaseRequest> batch = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            batch.add(request("DISCOVER", 3000 + i, null));
        }
        batch.add(2, request("DISCOVER", 3005, null));

        List<LeaseReply> replies = replicaA.handle(batch).await().atMost(Duration.ofSeconds(30));

        assertThat(replies).extracting(LeaseReply::action).containsOnly("OFFER");
        // the retransmission finds the offer its first copy got, decided before it
        assertThat(replies.get(2).address()).isEqualTo(replies.get(6).address());
        assertThat(replies.stream().map(LeaseReply::address).distinct()).hasSize(8);
        // and the batch committed as one transaction, not one by one after a failure
        assertThat(metrics.counter("tandem_lease_batch_retried_total").count()).isEqualTo(retriedBefore);
    }

    @Test
    void addressesReadAheadButTakenElsewhereAreSkipped() throws Exception {
        configured();
        String first = replicaA.handle(List.of(request("DISCOVER", 4000, null)))
                .await()
                .atMost(Duration.ofSeconds(30))
                .get(0)
                .address();
        // Another replica takes every free address but the lowest: whatever this one read ahead is gone.
        String left;
        try (Connection c = TestPostgres.connect("lease_replicas");
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT host('0.0.0.0'::inet + min(address)) FROM lease"
                    + " WHERE scope = '192.0.2.0/24' AND in_pool AND reserved_for IS NULL AND state = 'FREE'")) {
                rs.next();
                left = rs.getString(1);
            }
            int taken = s.executeUpdate("UPDATE lease SET state = 'OFFERED', client_key = 'hw:1:02005e' || address,"
                    + " expires_at = now() + interval '1 minute' WHERE scope = '192.0.2.0/24' AND in_pool"
                    + " AND reserved_for IS NULL AND state = 'FREE' AND address <> ('" + left + "'::inet - '0.0.0.0')");
            assertThat(taken).isGreaterThan(40);
        }
        assertThat(left).isNotEqualTo(first);

        LeaseReply second = replicaA.handle(List.of(request("DISCOVER", 4001, null)))
                .await()
                .atMost(Duration.ofSeconds(30))
                .get(0);

        assertThat(second.action()).isEqualTo("OFFER");
        assertThat(second.address()).isEqualTo(left);
        LeaseReply third = replicaA.handle(List.of(request("DISCOVER", 4002, null)))
                .await()
                .atMost(Duration.ofSeconds(30))
                .get(0);
        assertThat(third.reason()).isEqualTo("pool-exhausted");
    }

    @Inject
    OutboxRepository outbox;

    @Test
    void theOutboxIsVacuumedOnRequest() throws Exception {
        long before = outboxVacuums();
        outbox.vacuum().await().atMost(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> outboxVacuums() > before);
    }

    private static long outboxVacuums() throws Exception {
        try (Connection c = TestPostgres.connect("lease_replicas");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'lease_event_outbox'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void requestsAreGroupedByClientInArrivalOrder() {
        List<LeaseRequest> batch =
                List.of(request("DISCOVER", 1, null), request("DISCOVER", 2, null), request("REQUEST", 1, "192.0.2.9"));
        assertThat(LeaseService.byClient(batch)).containsExactly(List.of(0, 2), List.of(1));
    }
}

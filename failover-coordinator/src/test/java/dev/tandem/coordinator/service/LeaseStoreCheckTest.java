package dev.tandem.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.testsupport.FailoverFixtures;
import dev.tandem.testsupport.ServerConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lost stable storage (draft-ietf-dhc-failover-12 §9.3.2): a coordinator resumes its stored state only on the lease
 * database the state was recorded with, and only if that database is not an older copy. No partner answers here, so
 * the runner leaves STARTUP by its startup timer; what the lease-service would answer is published to the runner as
 * the binding-updates topic delivers it.
 */
class LeaseStoreCheckTest {

    static final String STORE = "6f0c2a57-93a4-4b0e-9d55-3b1f4c6f1e01";
    static final String OTHER = "a3d9e1f2-1b7c-4c65-8f0e-5d2b9a7c4e02";

    final Vertx vertx = Vertx.vertx();
    final List<FailoverStatus> published = new CopyOnWriteArrayList<>();
    final List<FailoverCommand> commands = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RelationshipRunner runner;

    final RelationshipRunner.Bus bus = new RelationshipRunner.Bus() {
        @Override
        public void publish(FailoverStatus status) {
            published.add(status);
        }

        @Override
        public void acknowledged(BindingAck ack) {}

        @Override
        public void command(FailoverCommand command) {
            commands.add(command);
        }

        @Override
        public Uni<BindingAck> applyPartnerUpdate(BindingUpdate update) {
            return Uni.createFrom().nullItem();
        }
    };

    @AfterEach
    void close() throws Exception {
        if (runner != null) {
            runner.stop().get(10, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static RelationshipConfig relationship() {
        var base = ServerConfigs.oneScope("192.0.2.0/24", "192.0.2.10", "192.0.2.20", 600, Map.of(), List.of());
        // a partner port nobody listens on: the runner never connects
        return ConfigValidator.validate(ServerConfigs.withFailover(
                        base,
                        base.server(),
                        FailoverFixtures.relationship(
                                "fo", "primary", "127.0.0.1", 16490, "127.0.0.1", 16491, 60L, List.of("192.0.2.0/24"))))
                .relationships()
                .get(0);
    }

    static FailoverStatus stored(FailoverState state, String store, long sequence) {
        return FailoverFixtures.status(
                "dhcp-a",
                "primary",
                "load-balance",
                state,
                Instant.now().minusSeconds(600),
                FailoverState.NORMAL,
                128,
                List.of("192.0.2.0/24"),
                store,
                sequence);
    }

    void start(Optional<FailoverStatus> restored) {
        runner = new RelationshipRunner(
                "dhcp-a",
                relationship(),
                List.of(),
                1,
                TestSettings.failover(Duration.ZERO),
                restored,
                bus,
                registry,
                Clock.systemUTC(),
                vertx);
        runner.start();
    }

    /** The identify command the runner sent at start. */
    String asked() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> commands.stream().anyMatch(c -> FailoverCommand.IDENTIFY.equals(c.command())));
        return commands.stream()
                .filter(c -> FailoverCommand.IDENTIFY.equals(c.command()))
                .findFirst()
                .orElseThrow()
                .requestId();
    }

    FailoverStatus last() {
        return published.get(published.size() - 1);
    }

    boolean named(String requestId, String store, long sequence) throws Exception {
        return runner.checkLeaseStore(BindingUpdate.identity("fo", requestId, store, sequence))
                .get(10, TimeUnit.SECONDS);
    }

    void awaitState(FailoverState state) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !published.isEmpty() && last().localState() == state);
    }

    double lost() {
        var counter = registry.find("tandem_failover_lease_store_lost_total").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aStoredStateWaitsInStartupUntilTheLeaseDatabaseIsNamed() throws Exception {
        start(Optional.of(stored(FailoverState.NORMAL, STORE, 100)));
        String request = asked();
        // the startup timer (200 ms) runs out, but NORMAL is not resumed before the database is named
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> runner.status().get().localState() == FailoverState.STARTUP);
        // an announcement of the same database does not settle it: only the answer carries a comparable number
        assertThat(named(BindingUpdate.STARTED, STORE, 1)).isFalse();
        assertThat(runner.status().get().localState()).isEqualTo(FailoverState.STARTUP);

        assertThat(named(request, STORE, 120)).isFalse();
        awaitState(FailoverState.COMMUNICATIONS_INTERRUPTED);
        assertThat(last().leaseStore()).isEqualTo(STORE);
        assertThat(last().storeSequence()).isEqualTo(120);
        assertThat(lost()).isZero();

        // later: the same database after a restart of the lease-service is fine; another one means starting over
        assertThat(named(BindingUpdate.STARTED, STORE, 5)).isFalse();
        assertThat(named(BindingUpdate.STARTED, OTHER, 0)).isTrue();
        assertThat(lost()).isEqualTo(1);
    }

    @Test
    void anotherLeaseDatabaseMeansStartingAsANewServer() throws Exception {
        start(Optional.of(stored(FailoverState.NORMAL, STORE, 100)));
        assertThat(named(asked(), OTHER, 7)).isFalse();
        awaitState(FailoverState.RECOVER);
        assertThat(last().leaseStore()).isEqualTo(OTHER);
        assertThat(last().storeSequence()).isEqualTo(7);
        assertThat(lost()).isEqualTo(1);
    }

    @Test
    void anUnaskedAnnouncementOfAnotherDatabaseCountsToo() throws Exception {
        start(Optional.of(stored(FailoverState.PARTNER_DOWN, STORE, 100)));
        asked();
        assertThat(named(BindingUpdate.STARTED, OTHER, 7)).isFalse();
        awaitState(FailoverState.RECOVER);
        assertThat(lost()).isEqualTo(1);
    }

    @Test
    void anOlderCopyOfTheSameDatabaseMeansStartingAsANewServer() throws Exception {
        start(Optional.of(stored(FailoverState.PARTNER_DOWN, STORE, 100)));
        assertThat(named(asked(), STORE, 99)).isFalse();
        awaitState(FailoverState.RECOVER);
        assertThat(lost()).isEqualTo(1);
    }

    @Test
    void aStateRecordedBeforeDatabasesWereNamedIsResumedAndRecordsTheDatabase() throws Exception {
        start(Optional.of(stored(FailoverState.PARTNER_DOWN, null, 0)));
        assertThat(named(asked(), STORE, 3)).isFalse();
        awaitState(FailoverState.PARTNER_DOWN);
        assertThat(last().leaseStore()).isEqualTo(STORE);
        assertThat(lost()).isZero();
    }

    @Test
    void aNewServerDoesNotWaitForTheDatabase() throws Exception {
        start(Optional.empty());
        asked();
        awaitState(FailoverState.RECOVER);
        assertThat(last().leaseStore()).isNull();
    }
}

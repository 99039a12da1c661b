package dev.tandem.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.ConfigValidator;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ServerSettings;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.failover.FailoverCodec;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.FailoverOption;
import dev.tandem.protocol.failover.FailoverState;
import dev.tandem.protocol.failover.LoadBalance;
import dev.tandem.protocol.failover.MessageType;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.testsupport.FailoverFixtures;
import dev.tandem.testsupport.ServerConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connected pair of runners on the loopback, each with a stand-in lease-service that answers resend requests at
 * once: with nothing of ours queued or in flight, the lease-service is asked again, every recheck interval, for what
 * the partner has not acknowledged (an update or its acknowledgement lost between the services); while an update is in
 * flight it is not. The pair reaches NORMAL, where the primary asks for a balance pass with the partner's shares.
 */
class PairedRunnersTest {

    static final Duration RECHECK = Duration.ofMillis(300);

    final Vertx vertx = Vertx.vertx();
    final List<FailoverCommand> primaryCommands = new CopyOnWriteArrayList<>();
    final List<FailoverCommand> secondaryCommands = new CopyOnWriteArrayList<>();
    final AtomicInteger partnerUpdatesSeen = new AtomicInteger();
    final List<String> partnerUpdateAddresses = new CopyOnWriteArrayList<>();
    /** The partner's updates the runners handed to their lease-service, in order. */
    final List<BindingUpdate> partnerUpdates = new CopyOnWriteArrayList<>();
    /** The acknowledgements the runners recorded with their lease-service. */
    final List<BindingAck> recorded = new CopyOnWriteArrayList<>();
    /** The primary's clock: a test moves it on as if the coordinator had been stopped meanwhile. */
    final JumpingClock primaryClock = new JumpingClock();

    /** The system clock plus whatever a test added. */
    static final class JumpingClock extends Clock {
        private final java.util.concurrent.atomic.AtomicReference<Duration> offset =
                new java.util.concurrent.atomic.AtomicReference<>(Duration.ZERO);

        void jump(Duration by) {
            offset.updateAndGet(o -> o.plus(by));
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return Clock.systemUTC().instant().plus(offset.get());
        }
    }

    /** Every state the runners published, in order. */
    final List<FailoverStatus> published = new CopyOnWriteArrayList<>();
    /** The resend-all commands held back by the test (answered by it); null: answered at once. */
    volatile List<FailoverCommand> heldResends;
    /** How the secondary's stand-in applies the partner's updates; default: never. */
    volatile java.util.function.Supplier<Uni<BindingAck>> applying =
            () -> Uni.createFrom().nothing();

    RelationshipRunner primary;
    RelationshipRunner secondary;
    /** Whether the stand-in leaves the runner's identify command unanswered (its STARTUP is then held). */
    volatile boolean holdIdentify;

    /** How long the scripted partner's runner lets an update of its go unanswered after a later one (0: no check). */
    Duration unansweredAfter = Duration.ZERO;

    /** The secondary's stall bound (0: no check) and its meters. */
    Duration secondaryStallAfter = Duration.ZERO;

    final SimpleMeterRegistry secondaryMetrics = new SimpleMeterRegistry();
    /** Set: the primary is told before it starts that it cannot serve, for this reason. */
    String primaryCannotServe;

    @AfterEach
    void close() throws Exception {
        for (RelationshipRunner r : new RelationshipRunner[] {primary, secondary}) {
            if (r != null) {
                r.stop().get(10, TimeUnit.SECONDS);
            }
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static RelationshipConfig relationship(String role, int port, int peerPort) {
        return settings(role, port, peerPort).relationships().get(0);
    }

    /** Scopes 192.0.2.0/24 (pool .10 to .20) and 198.51.100.0/24 in relationship fo. */
    static ServerSettings settings(String role, int port, int peerPort) {
        var one = ServerConfigs.oneScope("192.0.2.0/24", "192.0.2.10", "192.0.2.20", 600, Map.of(), List.of());
        var other =
                ServerConfigs.oneScope("198.51.100.0/24", "198.51.100.10", "198.51.100.20", 600, Map.of(), List.of());
        var base = new ServerConfig(
                one.version(),
                one.server(),
                one.revision(),
                one.serverIdentifier(),
                one.offerTimeout(),
                one.declineProbation(),
                List.of(one.scopes().get(0), other.scopes().get(0)));
        return ConfigValidator.validate(ServerConfigs.withFailover(
                base,
                base.server(),
                FailoverFixtures.relationship(
                        "fo",
                        role,
                        "127.0.0.1",
                        port,
                        "127.0.0.1",
                        peerPort,
                        60L,
                        List.of("192.0.2.0/24", "198.51.100.0/24"))));
    }

    static List<ScopeConfig> pools() {
        return settings("primary", 16494, 16495).scopes();
    }

    /** A lease-service stand-in: every resend ends at once with its end marker; partner updates are never applied. */
    RelationshipRunner.Bus bus(List<FailoverCommand> commands, RelationshipRunner[] self) {
        return new RelationshipRunner.Bus() {
            @Override
            public void publish(FailoverStatus status) {
                published.add(status);
            }

            @Override
            public void acknowledged(BindingAck ack) {
                recorded.add(ack);
            }

            @Override
            public void command(FailoverCommand command) {
                commands.add(command);
                if (heldResends != null && FailoverCommand.RESEND_ALL.equals(command.command())) {
                    heldResends.add(command);
                    return;
                }
                if (FailoverCommand.IDENTIFY.equals(command.command()) && holdIdentify) {
                    return;
                }
                if (FailoverCommand.IDENTIFY.equals(command.command())) {
                    self[0].checkLeaseStore(BindingUpdate.identity(
                            command.relationship(), command.requestId(), "00000000-0000-0000-0000-00000000000b", 0L));
                }
                if (command.command().startsWith("resend")) {
                    self[0].enqueue(BindingUpdate.endOfResend(command.relationship(), command.requestId()));
                }
            }

            @Override
            public Uni<BindingAck> applyPartnerUpdate(BindingUpdate update) {
                partnerUpdatesSeen.incrementAndGet();
                partnerUpdateAddresses.add(update.address());
                partnerUpdates.add(update);
                return applying.get();
            }
        };
    }

    void startPair() {
        startPair("tandem-test");
    }

    void startPair(String secondaryVendor) {
        RelationshipRunner[] p = new RelationshipRunner[1];
        RelationshipRunner[] s = new RelationshipRunner[1];
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        p[0] = primary = new RelationshipRunner(
                "dhcp-a",
                relationship("primary", 16494, 16495),
                pools(),
                1,
                TestSettings.failover(RECHECK),
                Optional.empty(),
                bus(primaryCommands, p),
                registry,
                primaryClock,
                vertx);
        s[0] = secondary = new RelationshipRunner(
                "dhcp-b",
                relationship("secondary", 16495, 16494),
                pools(),
                1,
                TestSettings.failover(RECHECK, secondaryVendor),
                Optional.empty(),
                bus(new CopyOnWriteArrayList<>(), s),
                registry,
                Clock.systemUTC(),
                vertx);
        if (primaryCannotServe != null) {
            primary.onDataPath(false, primaryCannotServe);
        }
        secondary.start();
        primary.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> primary.report().get().status().communicating());
    }

    long unackedResends() {
        return primaryCommands.stream()
                .filter(c -> FailoverCommand.RESEND_UNACKED.equals(c.command()))
                .count();
    }

    /**
     * An update this runner sent and the partner acknowledged may still be unacknowledged in the lease table (the
     * acknowledgement was lost between the services): once a whole recheck interval has passed since it was seen, the
     * lease-service is asked to resend what is unacknowledged up to it, while other updates keep coming (the queue is
     * never empty under load). Nothing is asked before any update was seen.
     */
    @Test
    void anUpdateSeenAnIntervalAgoIsRecheckedEvenWhileOthersAreInFlight() {
        startPair();
        await().atMost(Duration.ofSeconds(5)).until(() -> unackedResends() >= 1);
        await().during(RECHECK.multipliedBy(3)).atMost(RECHECK.multipliedBy(5)).until(() -> unackedResends() == 1);
        applying = () ->
                Uni.createFrom().item(new BindingAck(BindingAck.VERSION, "fo", "192.0.2.10", 7, 0, null, null, 0));
        primary.enqueue(BindingUpdate.of(
                "fo", new Binding(Ipv4.parse("192.0.2.10"), BindingStatus.BACKUP, null, null, 0, 0, 0, 0, 0), 7));
        await().atMost(Duration.ofSeconds(5)).until(() -> partnerUpdatesSeen.get() >= 1);
        // a later update that the partner never answers stays in flight, as under load
        applying = () -> Uni.createFrom().nothing();
        primary.enqueue(BindingUpdate.of(
                "fo", new Binding(Ipv4.parse("192.0.2.11"), BindingStatus.BACKUP, null, null, 0, 0, 0, 0, 0), 9));
        await().atMost(Duration.ofSeconds(5)).until(() -> primaryCommands.stream()
                .anyMatch(
                        c -> FailoverCommand.RESEND_UNACKED.equals(c.command()) && c.upTo() != null && c.upTo() >= 7));
        assertThat(primaryCommands.stream().map(FailoverCommand::upTo))
                .as("never up to the update still in flight")
                .allMatch(upTo -> upTo == null || upTo < 9);
    }

    /**
     * A lease-service ahead of its coordinator (a scope has joined there, or a pool grown) publishes updates of
     * addresses the runner's relationship does not hold yet: the runner does not send them (the partner would refuse
     * them for good, or take one for its full update of a joining scope). Once the runner has the configuration, the
     * lease-service is asked to send what is unacknowledged again.
     */
    @Test
    void anUpdateOutsideTheRelationshipsPoolsWaitsUntilTheRunnerHasThem() {
        applying = () ->
                Uni.createFrom().item(new BindingAck(BindingAck.VERSION, "fo", "192.0.2.10", 0, 0, null, null, 0));
        startPair();
        primary.enqueue(BindingUpdate.of(
                "fo", new Binding(Ipv4.parse("203.0.113.5"), BindingStatus.BACKUP, null, null, 0, 0, 0, 0, 0), 11));
        primary.enqueue(BindingUpdate.of(
                "fo", new Binding(Ipv4.parse("192.0.2.12"), BindingStatus.BACKUP, null, null, 0, 0, 0, 0, 0), 12));
        await().atMost(Duration.ofSeconds(10)).until(() -> partnerUpdateAddresses.contains("192.0.2.12"));
        assertThat(partnerUpdateAddresses).doesNotContain("203.0.113.5");
        long resendsBefore = primaryCommands.stream()
                .filter(c -> FailoverCommand.RESEND_UNACKED.equals(c.command()) && c.upTo() == null)
                .count();
        var grown = ServerConfigs.oneScope("203.0.113.0/24", "203.0.113.5", "203.0.113.9", 600, Map.of(), List.of());
        List<ScopeConfig> pools = new java.util.ArrayList<>(pools());
        pools.add(ConfigValidator.validate(grown).scopes().get(0));
        primary.reconfigured(2, pools);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> primaryCommands.stream()
                                .filter(c -> FailoverCommand.RESEND_UNACKED.equals(c.command()) && c.upTo() == null)
                                .count()
                        == resendsBefore + 1);
        primary.enqueue(BindingUpdate.of(
                "fo", new Binding(Ipv4.parse("203.0.113.5"), BindingStatus.BACKUP, null, null, 0, 0, 0, 0, 0), 11));
        await().atMost(Duration.ofSeconds(10)).until(() -> partnerUpdateAddresses.contains("203.0.113.5"));
    }

    FailoverState state(RelationshipRunner runner) throws Exception {
        return runner.status().get(5, TimeUnit.SECONDS).localState();
    }

    void awaitStates(FailoverState primaryState, FailoverState secondaryState) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(List.of(state(primary), state(secondary)))
                .containsExactly(primaryState, secondaryState));
    }

    /**
     * Fate-sharing: a server whose lease-services or gateways cannot serve goes PAUSED, on which its partner serves
     * everything (COMMUNICATIONS-INTERRUPTED), and both are NORMAL again once it can serve; no state of the paused
     * server's says it serves meanwhile.
     */
    @Test
    void aServerThatCannotServeHandsOverToItsPartnerAndTakesItsShareBackWhenItCan() throws Exception {
        startPair();
        awaitStates(FailoverState.NORMAL, FailoverState.NORMAL);
        primary.onDataPath(false, "lease-service ls-1 silent for 1600 ms");
        awaitStates(FailoverState.PAUSED, FailoverState.COMMUNICATIONS_INTERRUPTED);
        assertThat(primary.report().get().cannotServe()).isEqualTo("lease-service ls-1 silent for 1600 ms");
        assertThat(secondary.report().get().status().communicating())
                .as("the link stays up: the partner knows why")
                .isTrue();
        primary.onDataPath(true, null);
        awaitStates(FailoverState.NORMAL, FailoverState.NORMAL);
        assertThat(primary.report().get().cannotServe()).isNull();
    }

    /**
     * A coordinator stopped (SIGSTOP) for longer than its lease-services act on a state pauses when it runs again,
     * before it publishes its state of before (they would allocate on it again while the partner may have taken over),
     * and comes back through its partner's state.
     */
    @Test
    void aCoordinatorThatWasStoppedPausesBeforeItPublishesItsStateAgain() throws Exception {
        startPair();
        awaitStates(FailoverState.NORMAL, FailoverState.NORMAL);
        int before = published.size();
        primaryClock.jump(RelationshipRunner.AWAY.plusSeconds(1)); // its next republish finds a gap that long
        await().atMost(Duration.ofSeconds(10)).until(() -> published.stream()
                .skip(before)
                .anyMatch(st -> st.server().equals("dhcp-a") && st.localState() == FailoverState.PAUSED));
        assertThat(published.stream()
                        .skip(before)
                        .filter(st -> st.server().equals("dhcp-a"))
                        .map(FailoverStatus::localState)
                        .findFirst())
                .as("the first state it publishes after the gap")
                .contains(FailoverState.PAUSED);
        awaitStates(FailoverState.NORMAL, FailoverState.NORMAL); // the partner, in contact, is NORMAL
    }

    /** A partner that took over (PARTNER-DOWN) while this server was paused is recovered from: RECOVER, not NORMAL. */
    @Test
    void aPausedServerWhosePartnerTookOverComesBackThroughRecover() throws Exception {
        startPair();
        awaitStates(FailoverState.NORMAL, FailoverState.NORMAL);
        primary.onDataPath(false, "lease-service ls-1: cannot commit to PostgreSQL");
        awaitStates(FailoverState.PAUSED, FailoverState.COMMUNICATIONS_INTERRUPTED);
        secondary.partnerDown().get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> primary.status().get().partnerState().equals(FailoverState.PARTNER_DOWN.label()));
        assertThat(state(primary)).isEqualTo(FailoverState.PAUSED);
        primary.onDataPath(true, null);
        // RECOVER asks for everything, then waits MCLT (60 s here) in RECOVER-WAIT: the partner served alone.
        awaitStates(FailoverState.RECOVER_WAIT, FailoverState.PARTNER_DOWN);
        assertThat(published.stream()
                        .filter(st -> st.server().equals("dhcp-a"))
                        .map(FailoverStatus::localState)
                        .dropWhile(st -> st != FailoverState.PAUSED))
                .as("from the pause straight to recovery")
                .doesNotContain(FailoverState.NORMAL, FailoverState.COMMUNICATIONS_INTERRUPTED)
                .contains(FailoverState.RECOVER);
    }

    /**
     * A new pair whose primary cannot serve: the recovery ends as the draft says (its NORMAL takes the partner out of
     * RECOVER-DONE, where nobody serves new clients), then the primary pauses and the partner serves everyone; NORMAL
     * both once the primary can serve.
     */
    @Test
    void aServerThatCannotServeWhenItsRecoveryEndsPausesAndThePartnerServesEveryone() throws Exception {
        primaryCannotServe = "packet-gateway host/198.18.0.1:67 silent for 1500 ms";
        startPair();
        awaitStates(FailoverState.PAUSED, FailoverState.COMMUNICATIONS_INTERRUPTED);
        primary.onDataPath(true, null);
        awaitStates(FailoverState.NORMAL, FailoverState.NORMAL);
    }

    /** A server stopped while paused resumes PAUSED, and leaves it at once when it can serve (here: no partner). */
    @Test
    void aServerResumingPausedLeavesThePauseWhenItCanServe() {
        startSecondary(
                Optional.of(resumedWithoutTheScope(FailoverState.PAUSED, FailoverState.COMMUNICATIONS_INTERRUPTED)));
        await().atMost(Duration.ofSeconds(20)).until(() -> secondaryState().equals("COMMUNICATIONS-INTERRUPTED"));
        assertThat(published.stream().map(FailoverStatus::localState))
                .as("through PAUSED")
                .contains(FailoverState.PAUSED);
    }

    /** The balance passes asked on entering NORMAL: toward half and half with an ISC partner, else as configured. */
    @Test
    void withAnIscPartnerThePoolsAreBalancedToHalfAndHalf() {
        startPair("isc-4.4.3-P1");
        await().atMost(Duration.ofSeconds(10)).until(() -> balance().isPresent());
        assertThat(balance().get().secondaryPercent()).isEqualTo(50);
    }

    @Test
    void withATandemPartnerTheConfiguredSharesHold() {
        startPair();
        await().atMost(Duration.ofSeconds(10)).until(() -> balance().isPresent());
        assertThat(balance().get().secondaryPercent()).isNull();
    }

    Optional<FailoverCommand> balance() {
        return primaryCommands.stream()
                .filter(c -> FailoverCommand.BALANCE.equals(c.command()))
                .findFirst();
    }

    @Test
    void notWhileOneOfOurUpdatesIsInFlight() {
        startPair();
        await().atMost(Duration.ofSeconds(5)).until(() -> unackedResends() >= 1);
        primary.enqueue(BindingUpdate.of(
                "fo", new Binding(Ipv4.parse("192.0.2.10"), BindingStatus.BACKUP, null, null, 0, 0, 0, 0, 0), 1));
        // the partner got it and never answers: it stays in flight
        await().atMost(Duration.ofSeconds(5)).until(() -> partnerUpdatesSeen.get() >= 1);
        long before = unackedResends();
        await().during(RECHECK.multipliedBy(5)).atMost(RECHECK.multipliedBy(8)).until(() -> unackedResends() == before);
    }

    /**
     * ISC dhcpd sends UPDDONE right after the last update of a full resend, not after their acknowledgements. It counts
     * here once every update sent before it is applied (§7.7): a binding of the partner's resend applied after this
     * server entered NORMAL and balanced its pool would undo the balancing on this side only (a free address both
     * servers then take for their own).
     */
    @Test
    void aPartnersUpdateDoneCountsOnceEveryUpdateBeforeItIsApplied() throws Exception {
        java.util.concurrent.CompletableFuture<BindingAck> applied = new java.util.concurrent.CompletableFuture<>();
        applying = () -> Uni.createFrom().completionStage(applied);
        try (java.net.Socket peer = scriptedPrimary("isc-4.4.3-P1", FailoverState.RECOVER)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            // the secondary, new, recovers: it asks for everything; the scripted primary sends one binding and is done
            FailoverMessage ask = awaitMessage(in, MessageType.UPDREQALL);
            Binding free = new Binding(Ipv4.parse("192.0.2.10"), BindingStatus.FREE, null, null, 0, 0, now, 0, 0);
            send(peer, FailoverMessages.bindingUpdate(now, free).withXid(3));
            send(peer, FailoverMessages.empty(MessageType.UPDDONE, now, ask.xid()));
            await().atMost(Duration.ofSeconds(5)).until(() -> partnerUpdatesSeen.get() >= 1);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> secondaryState()
                    .equals("RECOVER"));
            applied.complete(new BindingAck(BindingAck.VERSION, "fo", "192.0.2.10", 0, 0, null, null, 0));
            await().atMost(Duration.ofSeconds(5)).until(() -> !secondaryState().equals("RECOVER"));
        }
    }

    /**
     * Two updates of who owns a free address that cross (each sent before its sender saw the other's) would swap the
     * two views, or leave the address with both: the primary's stands on both sides. This server, the secondary, takes
     * the primary's, from another Tandem server at once, from ISC dhcpd once it has refused ours
     * (failover_lease_is_better). An update that crosses nothing of ours is taken as well.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"isc-4.4.3-P1", "tandem-test"})
    void aPrimarysPoolUpdateThatCrossesOurOwnIsTakenFromIscAndTandemAlike(String vendor) throws Exception {
        try (java.net.Socket peer = scriptedPrimary(vendor, FailoverState.NORMAL)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            awaitMessage(in, MessageType.CONNECTACK);
            Ipv4 crossed = Ipv4.parse("192.0.2.11");
            Ipv4 other = Ipv4.parse("192.0.2.12");
            // ours: the secondary gives the address back (FREE), unacknowledged
            secondary.enqueue(
                    BindingUpdate.of("fo", new Binding(crossed, BindingStatus.FREE, null, null, 0, 0, now, 0, 0), 1));
            FailoverMessage sent = awaitUpdate(in, crossed);
            // theirs, sent before ours arrived: the primary gives it to the secondary (BACKUP)
            sendPool(peer, now, crossed, BindingStatus.BACKUP, 3);
            sendPool(peer, now, other, BindingStatus.BACKUP, 4);
            if (vendor.startsWith("isc-")) {
                await().atMost(Duration.ofSeconds(5)).until(() -> partnerUpdatesSeen.get() == 1);
                sendAck(peer, now, sent, BindingStatus.FREE, true);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> partnerUpdatesSeen.get() == 2);
            assertThat(partnerUpdateAddresses).contains(crossed.toString(), other.toString());
        }
    }

    /**
     * A crossing with ISC goes the way ISC's answer to ours says: ISC took ours (an ISC secondary takes the primary's
     * update that is not ACTIVE: failover_lease_is_better), so its ended binding is refused here (taken, the address
     * would be ended here and the secondary's own at ISC); ISC refused ours, so its update is applied. Another Tandem
     * server refuses our owner update that crosses its ended binding, so from it the EXPIRED is taken at once.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "isc-4.4.3-P1,taken,true",
        "isc-4.4.3-P1,refused,false",
        "tandem-test,none,false"
    })
    void aSecondarysEndedBindingThatCrossesOurPoolUpdateGoesTheWayIscAnswersOurs(
            String vendor, String answer, boolean refused) throws Exception {
        Ipv4 crossed = Ipv4.parse("192.0.2.11");
        applying = () -> Uni.createFrom()
                .item(new BindingAck(BindingAck.VERSION, "fo", crossed.toString(), 0, 0, null, null, 0));
        try (java.net.Socket peer = scriptedSecondary(vendor, FailoverState.NORMAL)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            // ours: the primary gives the address to the secondary, unacknowledged
            FailoverMessage sent = ourPoolUpdate(in, crossed, BindingStatus.BACKUP, now, 1);
            // theirs, sent before ours arrived: the secondary's client's lease of it ran out
            byte[] hw = java.util.HexFormat.of().parseHex("0102005e000011");
            send(
                    peer,
                    FailoverMessages.bindingUpdate(
                                    now,
                                    new Binding(crossed, BindingStatus.EXPIRED, null, hw, now, 0, now, now - 60, 0))
                            .withXid(3));
            if (!answer.equals("none")) {
                sendAck(peer, now, sent, BindingStatus.BACKUP, answer.equals("refused"));
            }
            assertThat(FailoverMessages.rejectReason(awaitAck(in, 3)).isPresent())
                    .isEqualTo(refused);
            assertThat(partnerUpdatesSeen.get()).isEqualTo(refused ? 0 : 1);
        }
    }

    /**
     * An update of ours the partner never answers, while it answers one we sent later, was lost there: the connection
     * ends (DISCONNECT naming it) after unanswered-after, and the next one sends it again. A partner that answers
     * nothing keeps the connection: its lease-service may be down, and a new connection would not help.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void anUpdateThePartnerLostWhileAnsweringALaterOneEndsTheConnection(boolean laterAnswered) throws Exception {
        unansweredAfter = Duration.ofSeconds(1);
        try (java.net.Socket peer = scriptedSecondary("tandem-test", FailoverState.NORMAL)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            ourPoolUpdate(in, Ipv4.parse("192.0.2.11"), BindingStatus.BACKUP, now, 1);
            FailoverMessage later = ourPoolUpdate(in, Ipv4.parse("192.0.2.12"), BindingStatus.BACKUP, now, 2);
            if (!laterAnswered) {
                await().during(unansweredAfter.multipliedBy(3))
                        .atMost(unansweredAfter.multipliedBy(5))
                        .until(() -> primary.report()
                                .get(5, TimeUnit.SECONDS)
                                .status()
                                .communicating());
                return;
            }
            sendAck(peer, now, later, BindingStatus.BACKUP, false);
            FailoverMessage bye = awaitMessage(in, MessageType.DISCONNECT);
            assertThat(bye.text(FailoverOption.MESSAGE).orElseThrow()).contains("192.0.2.11");
        }
        // the next connection: the same update left unanswered again (a Tandem partner defers some on purpose) is
        // not ended for twice
        try (java.net.Socket peer = acceptPrimary("tandem-test", FailoverState.NORMAL, true, () -> {})) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            ourPoolUpdate(in, Ipv4.parse("192.0.2.11"), BindingStatus.BACKUP, now, 1);
            sendAck(
                    peer,
                    now,
                    ourPoolUpdate(in, Ipv4.parse("192.0.2.13"), BindingStatus.BACKUP, now, 3),
                    BindingStatus.BACKUP,
                    false);
            await().during(unansweredAfter.multipliedBy(3))
                    .atMost(unansweredAfter.multipliedBy(5))
                    .until(() ->
                            primary.report().get(5, TimeUnit.SECONDS).status().communicating());
        }
    }

    /**
     * A partner that reported RECOVER may have lost its lease database: its next update request gets all our bindings,
     * once. ISC dhcpd restarted without its lease file reports RECOVER on connecting, moves to POTENTIAL-CONFLICT on
     * our stored NORMAL, and asks only for what it has not acknowledged (UPDREQ); without the rest it holds no free
     * address of its own, and our balance would give it none (found by the start-order matrix). Its RECOVER counts
     * even while our startup is held (the lease database not named yet). A partner in POTENTIAL-CONFLICT that never
     * reported RECOVER (a partition healing) gets the unacknowledged ones: a full resend would send as new what it
     * acknowledged long ago, and ISC's conflict resolution takes our RELEASED over its newer ACTIVE.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "isc-4.4.3-P1,RECOVER,false,1",
        "isc-4.4.3-P1,RECOVER,true,1",
        "isc-4.4.3-P1,POTENTIAL_CONFLICT,false,0",
        "tandem-test,RECOVER,false,1"
    })
    void aPartnerThatReportedRecoverGetsAllOurBindingsForItsUpdateRequestOnce(
            String vendor, FailoverState first, boolean startupHeld, int fullResends) throws Exception {
        holdIdentify = startupHeld;
        try (java.net.Socket peer = scriptedSecondary(vendor, first, !startupHeld)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            sendState(peer, FailoverState.POTENTIAL_CONFLICT, false, System.currentTimeMillis() / 1000, 3);
            send(peer, FailoverMessages.empty(MessageType.UPDREQ, System.currentTimeMillis() / 1000, 4));
            assertThat(awaitMessage(in, MessageType.UPDDONE).xid()).isEqualTo(4);
            send(peer, FailoverMessages.empty(MessageType.UPDREQ, System.currentTimeMillis() / 1000, 5));
            assertThat(awaitMessage(in, MessageType.UPDDONE).xid()).isEqualTo(5);
            assertThat(primaryCommands.stream()
                            .map(FailoverCommand::command)
                            .filter(FailoverCommand.RESEND_ALL::equals))
                    .as("all our bindings for its first request only")
                    .hasSize(fullResends);
        }
    }

    /**
     * ISC may take our owner update over its own client's ACTIVE binding (an ISC secondary takes the primary's FREE or
     * BACKUP whose potential expiration has passed): its ACTIVE that crossed ours is applied here at once, whatever ISC
     * answers (waiting, a lost connection would lose it). If ISC took ours, the ACTIVE goes back to ISC as ours (the
     * lease-service keeps it unacknowledged until ISC has it, so a lost connection resends it): ISC must not hold free
     * an address its client still uses. If ISC refused ours, it kept its binding: nothing goes back, and the row is
     * recorded as acknowledged.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"taken", "refused"})
    void anIscSecondarysActiveThatCrossedOurOwnerUpdateIsAppliedAndSentBack(String answer) throws Exception {
        Ipv4 crossed = Ipv4.parse("192.0.2.14");
        applying = () -> Uni.createFrom()
                .item(new BindingAck(BindingAck.VERSION, "fo", crossed.toString(), 0, 0, null, null, 700));
        try (java.net.Socket peer = scriptedSecondary("isc-4.4.3-P1", FailoverState.NORMAL)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            FailoverMessage sent = ourPoolUpdate(in, crossed, BindingStatus.BACKUP, now, 1);
            byte[] hw = java.util.HexFormat.of().parseHex("0102005e000014");
            send(
                    peer,
                    FailoverMessages.bindingUpdate(
                                    now,
                                    new Binding(
                                            crossed, BindingStatus.ACTIVE, null, hw, now + 600, now + 900, now, now, 0))
                            .withXid(3));
            assertThat(FailoverMessages.rejectReason(awaitAck(in, 3))).isEmpty();
            assertThat(partnerUpdates).hasSize(1);
            assertThat(partnerUpdates.get(0).sendBack()).isTrue();
            sendAck(peer, now, sent, BindingStatus.BACKUP, answer.equals("refused"));
            if (answer.equals("refused")) {
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> recorded.stream().anyMatch(a -> a.sequence() == 700 && a.accepted()));
                // nothing goes back: the next update the scripted ISC sees is one of another address
                Ipv4 other = Ipv4.parse("192.0.2.19");
                primary.enqueue(BindingUpdate.of(
                        "fo", new Binding(other, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0), 701));
                FailoverMessage next = await().atMost(Duration.ofSeconds(10)).until(() -> read(in), m -> m.messageType()
                        .filter(MessageType.BNDUPD::equals)
                        .isPresent());
                assertThat(next.address(FailoverOption.ASSIGNED_IP_ADDRESS)).contains(other);
                return;
            }
            FailoverMessage back = awaitUpdate(in, crossed);
            assertThat(FailoverMessages.binding(back).orElseThrow().status()).isEqualTo(BindingStatus.ACTIVE);
            assertThat(FailoverMessages.binding(back).orElseThrow().hardwareAddress())
                    .isEqualTo(hw);
        }
    }

    /**
     * Two ACTIVE bindings of one address for different clients that cross (each server bound a client apart): ISC
     * decides by their times (the later one), and this server follows its answer. Taken, ours stands and ISC's is
     * refused; nothing goes back. Refused, ISC keeps its own, and so does this server: the lease-service is told that
     * the partner keeps the later ACTIVE, so that the acceptance matrix (the primary's binding wins) does not leave each
     * server its own client.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"taken", "refused"})
    void anIscActiveThatCrossedOurActiveGoesTheWayIscAnswersOurs(String answer) throws Exception {
        Ipv4 crossed = Ipv4.parse("192.0.2.15");
        applying = () -> Uni.createFrom()
                .item(new BindingAck(BindingAck.VERSION, "fo", crossed.toString(), 0, 0, null, null, 0));
        try (java.net.Socket peer = scriptedSecondary("isc-4.4.3-P1", FailoverState.NORMAL)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            byte[] ours = java.util.HexFormat.of().parseHex("0102005e0000a1");
            byte[] theirs = java.util.HexFormat.of().parseHex("0102005e0000b2");
            primary.enqueue(BindingUpdate.of(
                    "fo",
                    new Binding(crossed, BindingStatus.ACTIVE, null, ours, now + 600, now + 900, now, now, 0),
                    1));
            FailoverMessage sent = awaitUpdate(in, crossed);
            send(
                    peer,
                    FailoverMessages.bindingUpdate(
                                    now,
                                    new Binding(
                                            crossed,
                                            BindingStatus.ACTIVE,
                                            null,
                                            theirs,
                                            now + 600,
                                            now + 900,
                                            now,
                                            now - 5,
                                            0))
                            .withXid(3));
            sendAck(peer, now, sent, BindingStatus.ACTIVE, answer.equals("refused"));
            if (answer.equals("taken")) {
                assertThat(FailoverMessages.rejectReason(awaitAck(in, 3)))
                        .contains(dev.tandem.protocol.failover.RejectReason.OUTDATED_BINDING_INFORMATION);
                assertThat(partnerUpdatesSeen.get()).isZero();
                return;
            }
            assertThat(FailoverMessages.rejectReason(awaitAck(in, 3))).isEmpty();
            assertThat(partnerUpdates).hasSize(1);
            assertThat(partnerUpdates.get(0).laterActiveWins()).isTrue();
            assertThat(partnerUpdates.get(0).hardwareAddress()).isEqualTo("0102005e0000b2");
        }
    }

    /**
     * Our owner update still queued (the window full) when an ISC secondary's update of the address arrives: ISC's
     * rule makes the primary's stand, so theirs is refused and ours goes once the window has room (taken, a new ISC
     * secondary's full update, all FREE, undid our split before ours got there: ISC had no address of its own, found
     * by the start-order matrix).
     */
    @Test
    void anIscSecondarysUpdateCrossingOurQueuedOwnerUpdateIsRefusedAndOursGoes() throws Exception {
        Ipv4 crossed = Ipv4.parse("192.0.2.17");
        try (java.net.Socket peer = scriptedSecondary("isc-4.4.3-P1", FailoverState.NORMAL)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            List<FailoverMessage> window = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Ipv4 a = Ipv4.parse("198.51.100." + (10 + i));
                primary.enqueue(BindingUpdate.of(
                        "fo", new Binding(a, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0), 100 + i));
                window.add(awaitUpdate(in, a));
            }
            primary.enqueue(BindingUpdate.of(
                    "fo", new Binding(crossed, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0), 120));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> primary.report().get(5, TimeUnit.SECONDS).pendingUpdates() == 11);
            sendPool(peer, now, crossed, BindingStatus.FREE, 3);
            assertThat(FailoverMessages.rejectReason(awaitAck(in, 3)))
                    .contains(dev.tandem.protocol.failover.RejectReason.OUTDATED_BINDING_INFORMATION);
            assertThat(partnerUpdatesSeen.get()).isZero();
            sendAck(peer, now, window.get(0), BindingStatus.BACKUP, false);
            assertThat(FailoverMessages.binding(awaitUpdate(in, crossed))
                            .orElseThrow()
                            .status())
                    .isEqualTo(BindingStatus.BACKUP);
        }
    }

    /**
     * ISC drops its update as soon as it takes any of ours that it crossed: with two of ours in flight, the first taken
     * and the second refused, ISC's update is refused here too (deciding by the last answer alone took it, while ISC
     * held ours).
     */
    @Test
    void anIscUpdateCrossingTwoOfOursIsRefusedWhenIscTookEitherOfThem() throws Exception {
        Ipv4 crossed = Ipv4.parse("192.0.2.16");
        applying = () -> Uni.createFrom()
                .item(new BindingAck(BindingAck.VERSION, "fo", crossed.toString(), 0, 0, null, null, 800));
        try (java.net.Socket peer = scriptedSecondary("isc-4.4.3-P1", FailoverState.NORMAL)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            FailoverMessage first = ourPoolUpdate(in, crossed, BindingStatus.BACKUP, now, 1);
            FailoverMessage second = ourPoolUpdate(in, crossed, BindingStatus.FREE, now, 2);
            sendPool(peer, now, crossed, BindingStatus.FREE, 3);
            sendAck(peer, now, first, BindingStatus.BACKUP, false);
            sendAck(peer, now, second, BindingStatus.FREE, true);
            assertThat(FailoverMessages.rejectReason(awaitAck(in, 3)))
                    .contains(dev.tandem.protocol.failover.RejectReason.OUTDATED_BINDING_INFORMATION);
            assertThat(partnerUpdatesSeen.get()).isZero();
        }
    }

    /**
     * Our update of an address made while the partner's update of it is being applied here goes only after our BNDACK
     * of theirs (as ISC dhcpd orders them): before it, the partner would take ours for one that crossed its own, and
     * might refuse it.
     */
    @Test
    void ourUpdateOfAnAddressGoesOnlyAfterOurAckOfThePartnersUpdateOfIt() throws Exception {
        Ipv4 address = Ipv4.parse("192.0.2.18");
        java.util.concurrent.CompletableFuture<BindingAck> applied = new java.util.concurrent.CompletableFuture<>();
        applying = () -> Uni.createFrom().completionStage(applied);
        try (java.net.Socket peer = scriptedPrimary("tandem-test", FailoverState.NORMAL)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            awaitMessage(in, MessageType.CONNECTACK);
            long now = System.currentTimeMillis() / 1000;
            sendPool(peer, now, address, BindingStatus.BACKUP, 3);
            await().atMost(Duration.ofSeconds(5)).until(() -> partnerUpdatesSeen.get() == 1);
            secondary.enqueue(
                    BindingUpdate.of("fo", new Binding(address, BindingStatus.FREE, null, null, 0, 0, now, 0, 0), 600));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> secondary.report().get(5, TimeUnit.SECONDS).pendingUpdates() == 1);
            applied.complete(new BindingAck(BindingAck.VERSION, "fo", address.toString(), 0, 0, null, null, 500));
            List<String> order = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> read(in), m -> {
                m.messageType()
                        .filter(t -> t == MessageType.BNDACK || t == MessageType.BNDUPD)
                        .ifPresent(t -> order.add(t + " " + m.xid()));
                return m.messageType().filter(MessageType.BNDUPD::equals).isPresent();
            });
            assertThat(order).hasSize(2).first().isEqualTo("BNDACK 3");
        }
    }

    /**
     * The partner's update that arrives during our full resend waits for it, and is then checked against our update of
     * its address that was already in flight when it arrived, not only against ours queued later: with that one
     * acknowledged meanwhile, taking theirs left the secondary's FREE here and our BACKUP there (both servers' own).
     * With ISC, its answer to ours decides: taken, theirs is refused; refused, theirs is applied.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "tandem-test,taken,true",
        "isc-4.4.3-P1,taken,true",
        "isc-4.4.3-P1,refused,false"
    })
    void aPartnersUpdateHeldDuringOurResendIsDecidedAgainstOursAlreadyInFlight(
            String vendor, String answer, boolean refused) throws Exception {
        heldResends = new CopyOnWriteArrayList<>();
        Ipv4 crossed = Ipv4.parse("192.0.2.12");
        applying = () -> Uni.createFrom()
                .item(new BindingAck(BindingAck.VERSION, "fo", crossed.toString(), 0, 0, null, null, 0));
        try (java.net.Socket peer = scriptedSecondary(vendor, FailoverState.NORMAL)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            Binding ours = new Binding(crossed, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0);
            primary.enqueue(BindingUpdate.of("fo", ours, 1));
            FailoverMessage sent = awaitUpdate(in, crossed);
            // the secondary asks for everything, then gives the address back (sent before ours reached it)
            send(peer, FailoverMessages.empty(MessageType.UPDREQALL, now, 3));
            await().atMost(Duration.ofSeconds(10)).until(() -> heldResends.size() == 1);
            sendPool(peer, now, crossed, BindingStatus.FREE, 4);
            // it answers ours (a Tandem secondary takes the primary's); our resend then ends
            sendAck(peer, now, sent, BindingStatus.BACKUP, answer.equals("refused"));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> primary.report().get(5, TimeUnit.SECONDS).pendingUpdates() == 0);
            FailoverCommand resend = heldResends.get(0);
            primary.enqueue(BindingUpdate.endOfResend(resend.relationship(), resend.requestId()));
            assertThat(FailoverMessages.rejectReason(awaitAck(in, 4)).isPresent())
                    .isEqualTo(refused);
            assertThat(partnerUpdatesSeen.get()).isEqualTo(refused ? 0 : 1);
        }
    }

    /**
     * A scripted primary in NORMAL, connected (CONNECTACK read) to the secondary, whose stand-in lease-service accepts
     * every update (answering as for {@code address}).
     */
    private java.net.Socket acceptingScriptedPrimary(String address) throws Exception {
        applying = () -> Uni.createFrom().item(new BindingAck(BindingAck.VERSION, "fo", address, 0, 0, null, null, 0));
        java.net.Socket peer = scriptedPrimary("tandem-test", FailoverState.NORMAL);
        awaitMessage(new java.io.DataInputStream(peer.getInputStream()), MessageType.CONNECTACK);
        return peer;
    }

    /**
     * Our update that ends a binding (EXPIRED, RELEASED) crossed by the partner's update of who owns the address: ours
     * makes it FREE (the primary's) on both sides once applied there and acknowledged here, so theirs is refused, even
     * by a secondary, which otherwise takes the primary's. Taking it swapped the two views (the short chaos run).
     */
    @Test
    void aPartnersPoolUpdateThatCrossesOurEndedBindingIsRefused() throws Exception {
        try (java.net.Socket peer = acceptingScriptedPrimary("192.0.2.11")) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            Ipv4 crossed = Ipv4.parse("192.0.2.11");
            byte[] hw = java.util.HexFormat.of().parseHex("0102005e000011");
            secondary.enqueue(BindingUpdate.of(
                    "fo", new Binding(crossed, BindingStatus.EXPIRED, null, hw, now, 0, now, now - 60, 0), 1));
            awaitUpdate(in, crossed);
            sendPool(peer, now, crossed, BindingStatus.BACKUP, 3);
            assertThat(FailoverMessages.rejectReason(awaitAck(in, 3)))
                    .contains(dev.tandem.protocol.failover.RejectReason.OUTDATED_BINDING_INFORMATION);
            assertThat(partnerUpdatesSeen.get()).isZero();
        }
    }

    /**
     * Our update of an address still queued here (the partner's window is full) when the partner's update of the same
     * address is applied is a stale snapshot of the row: it is not sent (sent, it would undo the partner's binding
     * there; the short chaos run saw a BACKUP queued behind a full resend reach the partner after it had freed the
     * address).
     */
    @Test
    void ourQueuedUpdateOfAnAddressThePartnerHasJustUpdatedIsNotSent() throws Exception {
        try (java.net.Socket peer = acceptingScriptedPrimary("192.0.2.15")) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            // ten updates in flight fill the window the partner announced
            List<FailoverMessage> inFlight = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Ipv4 a = Ipv4.parse("198.51.100." + (10 + i));
                secondary.enqueue(BindingUpdate.of(
                        "fo", new Binding(a, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0), 100 + i));
                inFlight.add(awaitUpdate(in, a));
            }
            Ipv4 address = Ipv4.parse("192.0.2.15");
            secondary.enqueue(BindingUpdate.of(
                    "fo", new Binding(address, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0), 120));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> secondary.report().get(5, TimeUnit.SECONDS).pendingUpdates() == 11);
            // the partner's update of that address, applied here
            sendPool(peer, now, address, BindingStatus.FREE, 3);
            assertThat(FailoverMessages.rejectReason(awaitAck(in, 3))).isEmpty();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> secondary.report().get(5, TimeUnit.SECONDS).pendingUpdates() == 10);
            for (FailoverMessage m : inFlight) {
                Ipv4 a = m.address(FailoverOption.ASSIGNED_IP_ADDRESS).orElseThrow();
                send(
                        peer,
                        FailoverMessages.bindingAck(
                                now,
                                m.xid(),
                                new Binding(a, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0),
                                null,
                                null));
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> secondary.report().get(5, TimeUnit.SECONDS).pendingUpdates() == 0);
        }
    }

    /**
     * Our update of an address that the lease-service published before the partner's update of it was applied there,
     * but that reaches the runner only after (a consumer's lag), is numbered below the number the row took: it is not
     * sent (it would undo the partner's binding there). A later one of ours is.
     */
    @Test
    void ourUpdatePublishedBeforeThePartnersWasAppliedButComingAfterIsNotSent() throws Exception {
        Ipv4 address = Ipv4.parse("192.0.2.16");
        Ipv4 other = Ipv4.parse("192.0.2.17");
        applying = () -> Uni.createFrom()
                .item(new BindingAck(BindingAck.VERSION, "fo", address.toString(), 0, 0, null, null, 500));
        try (java.net.Socket peer = scriptedPrimary("tandem-test", FailoverState.NORMAL)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            awaitMessage(in, MessageType.CONNECTACK);
            long now = System.currentTimeMillis() / 1000;
            sendPool(peer, now, address, BindingStatus.FREE, 3);
            assertThat(FailoverMessages.rejectReason(awaitAck(in, 3))).isEmpty();
            secondary.enqueue(BindingUpdate.of(
                    "fo", new Binding(address, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0), 499));
            secondary.enqueue(
                    BindingUpdate.of("fo", new Binding(other, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0), 501));
            List<Ipv4> sent = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> read(in), m -> {
                if (m.messageType().filter(MessageType.BNDUPD::equals).isPresent()) {
                    sent.add(m.address(FailoverOption.ASSIGNED_IP_ADDRESS).orElseThrow());
                }
                return sent.contains(other);
            });
            assertThat(sent).containsExactly(other);
            secondary.enqueue(BindingUpdate.of(
                    "fo", new Binding(address, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0), 502));
            awaitUpdate(in, address);
        }
    }

    /**
     * The partner's updates wait while a resend of ours is on its way from the lease-service: a new pair's two full
     * updates cross at once, and only once ours is queued here can a crossing one be told from one that follows ours.
     * The primary's stands: this secondary takes the ISC primary's FREE that crossed its BACKUP (ISC refuses ours).
     */
    @Test
    void duringOurFullResendThePartnersUpdatesWaitAndTheIscPrimarysCrossingOneIsTaken() throws Exception {
        heldResends = new CopyOnWriteArrayList<>();
        try (java.net.Socket peer = scriptedPrimary("isc-4.4.3-P1", FailoverState.RECOVER)) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            send(peer, FailoverMessages.empty(MessageType.UPDREQALL, now, 3));
            await().atMost(Duration.ofSeconds(10)).until(() -> heldResends.size() == 1);
            Ipv4 crossed = Ipv4.parse("192.0.2.13");
            Ipv4 other = Ipv4.parse("192.0.2.14");
            sendPool(peer, now, crossed, BindingStatus.FREE, 4);
            sendPool(peer, now, other, BindingStatus.FREE, 5);
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(2))
                    .until(() -> partnerUpdatesSeen.get() == 0);
            // our resend arrives: the secondary holds the address as its own (BACKUP); ISC refuses it, its FREE being
            // on its way (failover_lease_is_better)
            FailoverCommand resend = heldResends.get(0);
            Binding ours = new Binding(crossed, BindingStatus.BACKUP, null, null, 0, 0, now, 0, 0);
            secondary.enqueue(BindingUpdate.of("fo", ours, 1));
            FailoverMessage sent = awaitUpdate(in, crossed);
            send(
                    peer,
                    FailoverMessages.bindingAck(
                            now,
                            sent.xid(),
                            ours,
                            dev.tandem.protocol.failover.RejectReason.OUTDATED_BINDING_INFORMATION,
                            "incoming update is less critical than outgoing update"));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> secondary.report().get(5, TimeUnit.SECONDS).pendingUpdates() == 0);
            secondary.enqueue(BindingUpdate.endOfResend(resend.relationship(), resend.requestId()));
            // the primary's FREE is taken, as is the other address's
            await().atMost(Duration.ofSeconds(5)).until(() -> partnerUpdatesSeen.get() == 2);
        }
    }

    /**
     * A server alone through its STARTUP is in RECOVER when its partner first connects. A partner that has just started
     * reports its previous state with the STARTUP flag first (ISC dhcpd does): communication is OK only from its real
     * report, which must still bring the UPDREQALL of RECOVER (else RECOVER waits forever for an UPDDONE never asked).
     */
    @Test
    void inRecoverAPartnerThatReportsFromItsStartupFirstIsStillAskedForAllUpdates() throws Exception {
        try (java.net.Socket peer = iscConnectsToANewSecondaryInRecover()) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            sendState(peer, FailoverState.RECOVER, true, now, 2);
            // the starting partner's report is taken in, but is not yet contact: nothing is asked on it
            await().atMost(Duration.ofSeconds(5)).until(() -> secondary
                    .report()
                    .get(5, TimeUnit.SECONDS)
                    .status()
                    .partnerState()
                    .equals("RECOVER"));
            assertThat(secondary.report().get(5, TimeUnit.SECONDS).status().communicating())
                    .isFalse();
            sendState(peer, FailoverState.RECOVER, false, now, 3);
            await().atMost(Duration.ofSeconds(5)).until(() -> read(in), m -> m.messageType()
                    .filter(MessageType.UPDREQALL::equals)
                    .isPresent());
        }
    }

    /**
     * RECOVER never waits silently: a partner that leaves our UPDREQALL unanswered is reported (what the relationship
     * waits for, in its report and once in the log), counted as a stall, and asked again every stall bound, until its
     * UPDDONE ends the wait (ISC was seen to leave Tandem in RECOVER for 300 s when its start crossed ours).
     */
    @Test
    void anUnansweredRequestForAllUpdatesInRecoverIsReportedCountedAndAskedAgain() throws Exception {
        secondaryStallAfter = Duration.ofSeconds(1);
        startSecondary(Optional.empty());
        await().atMost(Duration.ofSeconds(10)).until(() -> secondaryState().equals("RECOVER"));
        assertThat(secondary.report().get(5, TimeUnit.SECONDS).waitingFor()).isEqualTo("a connection to the partner");
        try (java.net.Socket peer = connectAsPrimary("isc-4.4.3-P1")) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            sendState(peer, FailoverState.RECOVER, false, now, 2);
            awaitMessage(in, MessageType.UPDREQALL);
            assertThat(secondary.report().get(5, TimeUnit.SECONDS).waitingFor()).startsWith("the partner's UPDDONE");
            assertThat(stalls()).isZero();
            FailoverMessage again = awaitMessage(in, MessageType.UPDREQALL);
            assertThat(stalls()).isEqualTo(1.0);
            assertThat(secondaryState()).isEqualTo("RECOVER");
            send(peer, FailoverMessages.empty(MessageType.UPDDONE, now, again.xid()));
            // both recovering: RECOVER-DONE at once, which waits for the partner to move on
            await().atMost(Duration.ofSeconds(5)).until(() -> secondaryState().equals("RECOVER-DONE"));
            assertThat(secondary.report().get(5, TimeUnit.SECONDS).waitingFor())
                    .isEqualTo("the partner to move on (to NORMAL, or RECOVER-DONE)");
            // reported and counted once the bound passes, but our state is not sent again: a repeated STATE would
            // restart a partner's conflict resolution
            await().atMost(Duration.ofSeconds(5)).until(() -> stalls() == 2.0);
            sendState(peer, FailoverState.RECOVER_DONE, false, now, 3);
            await().atMost(Duration.ofSeconds(5)).until(() -> secondaryState().equals("NORMAL"));
            assertThat(secondary.report().get(5, TimeUnit.SECONDS).waitingFor()).isNull();
        }
    }

    /**
     * A full update under way whose bindings are still being applied here (the partner's window is full, waiting for
     * our acknowledgements) is not a stall: asked again, ISC would queue its whole table again.
     */
    @Test
    void aFullUpdateStillBeingAppliedHereIsNotAskedForAgain() throws Exception {
        secondaryStallAfter = Duration.ofSeconds(1);
        try (java.net.Socket peer = iscConnectsToANewSecondaryInRecover()) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            sendState(peer, FailoverState.RECOVER, false, now, 2);
            awaitMessage(in, MessageType.UPDREQALL);
            sendPool(peer, now, Ipv4.parse("192.0.2.13"), BindingStatus.FREE, 3); // never applied by the stand-in
            List<MessageType> seen = new java.util.ArrayList<>();
            peer.setSoTimeout(500);
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                try {
                    read(in).messageType().ifPresent(seen::add);
                } catch (java.net.SocketTimeoutException e) {
                    // nothing this half second
                }
            }
            assertThat(seen).doesNotContain(MessageType.UPDREQALL);
            assertThat(stalls()).isZero();
        }
    }

    /** Only the UPDDONE that answers our latest request counts: one with another xid leaves RECOVER as it is. */
    @Test
    void anUpdateDoneForAnotherRequestDoesNotEndRecover() throws Exception {
        try (java.net.Socket peer = iscConnectsToANewSecondaryInRecover()) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            sendState(peer, FailoverState.RECOVER, false, now, 2);
            FailoverMessage ask = awaitMessage(in, MessageType.UPDREQALL);
            send(peer, FailoverMessages.empty(MessageType.UPDDONE, now, ask.xid() + 7));
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> secondaryState()
                    .equals("RECOVER"));
            send(peer, FailoverMessages.empty(MessageType.UPDDONE, now, ask.xid()));
            await().atMost(Duration.ofSeconds(5)).until(() -> secondaryState().equals("RECOVER-DONE"));
        }
    }

    /**
     * §9.3.2: a server restarted with a stored NORMAL whose partner went PARTNER-DOWN after this server last operated
     * recovers (it only needs the partner's bindings); one whose partner went PARTNER-DOWN before may have served
     * meanwhile too: POTENTIAL-CONFLICT. The state it publishes while in STARTUP is not operation (it used to count,
     * so every such restart resolved a conflict; the start-order matrix saw it).
     */
    @Test
    void aServerRestartedAfterItsPartnerWentPartnerDownRecovers() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        FailoverStatus s = stored(
                "dhcp-b",
                "secondary",
                FailoverState.NORMAL,
                FailoverState.NORMAL,
                3600,
                "192.0.2.0/24",
                "198.51.100.0/24");
        FailoverStatus stored =
                FailoverFixtures.republished(s, java.time.Instant.ofEpochSecond(now - 600), s.joining());
        holdIdentify = true; // STARTUP waits for the lease database, so the partner's STATE is taken in STARTUP
        startSecondary(Optional.of(stored));
        try (java.net.Socket peer = connectAsPrimary("tandem-test")) {
            sendState(peer, FailoverState.PARTNER_DOWN, false, now - 60, 2);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> secondaryCommands.stream()
                                    .filter(c -> FailoverCommand.IDENTIFY.equals(c.command()))
                                    .count()
                            >= 1);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> secondaryState()
                    .equals("STARTUP"));
            String request = secondaryCommands.stream()
                    .filter(c -> FailoverCommand.IDENTIFY.equals(c.command()))
                    .findFirst()
                    .orElseThrow()
                    .requestId();
            secondary.checkLeaseStore(
                    BindingUpdate.identity("fo", request, "00000000-0000-0000-0000-00000000000b", 0L));
            await().atMost(Duration.ofSeconds(5)).until(() -> secondaryState().equals("RECOVER"));
        }
    }

    /** A new secondary alone through its STARTUP (so in RECOVER), then a scripted ISC primary connects. */
    java.net.Socket iscConnectsToANewSecondaryInRecover() throws Exception {
        startSecondary(Optional.empty());
        await().atMost(Duration.ofSeconds(10)).until(() -> secondaryState().equals("RECOVER"));
        return connectAsPrimary("isc-4.4.3-P1");
    }

    double stalls() {
        return secondaryMetrics.find("tandem_failover_stalls_total").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum();
    }

    /**
     * A scope that joined the running relationship (in the configuration, not in the state resumed): on contact the
     * runner asks for all the partner's bindings, and the state it publishes names the scope as joining (so the
     * lease-service allocates nothing in it) until the partner's full update has brought a binding of the scope. A full
     * update without one (a binding outside the scope's pool does not count) means the partner does not have the scope
     * in the relationship yet: it may serve it apart, so the scope keeps joining, and the partner is asked again as
     * soon as it asks for ours (it joined the scope).
     */
    @Test
    void aScopeJoiningARunningRelationshipIsAskedForAndHeldUntilThePartnersBindingsOfItAreHere() throws Exception {
        applying = () ->
                Uni.createFrom().item(new BindingAck(BindingAck.VERSION, "fo", "192.0.2.12", 0, 0, null, null, 0));
        startSecondary(Optional.of(resumedWithoutTheScope(FailoverState.NORMAL, FailoverState.NORMAL)));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !published.isEmpty()
                        && published.get(published.size() - 1).joining("192.0.2.0/24"));
        try (java.net.Socket peer = connectAsPrimary("tandem-test")) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            sendState(peer, FailoverState.NORMAL, false, now, 2);
            FailoverMessage ask = awaitMessage(in, MessageType.UPDREQALL);
            assertThat(secondaryState()).isEqualTo("NORMAL");
            assertThat(published.get(published.size() - 1).joining("192.0.2.0/24"))
                    .isTrue();
            // the partner has not joined the scope yet: its full update has a binding of another scope only
            sendPool(peer, now, Ipv4.parse("192.0.2.50"), BindingStatus.FREE, 3);
            send(peer, FailoverMessages.empty(MessageType.UPDDONE, now, ask.xid()));
            awaitAck(in, 3);
            // it joins the scope and asks for ours: the runner answers and asks again
            send(peer, FailoverMessages.empty(MessageType.UPDREQALL, now, 4));
            FailoverMessage again = awaitMessage(in, MessageType.UPDREQALL);
            assertThat(secondary.status().get(5, TimeUnit.SECONDS).joining("192.0.2.0/24"))
                    .as("still joining after a full update without the scope")
                    .isTrue();
            sendPool(peer, now, Ipv4.parse("192.0.2.12"), BindingStatus.BACKUP, 5);
            send(peer, FailoverMessages.empty(MessageType.UPDDONE, now, again.xid()));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> published.get(published.size() - 1).joining() == null);
        }
    }

    static FailoverMessage awaitMessage(java.io.DataInputStream in, MessageType type) {
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> read(in), m -> m.messageType().filter(type::equals).isPresent());
    }

    /**
     * A joining scope does not cut a conflict resolution short: in POTENTIAL-CONFLICT the secondary waits for the
     * primary's CONFLICT-DONE and asks for the unacknowledged updates (§9.9); only in NORMAL does it ask for all of
     * them for the joining scope (an UPDDONE in POTENTIAL-CONFLICT would end the resolution early and stall the pair).
     */
    @Test
    void aJoiningScopeWaitsForTheConflictResolutionToEnd() throws Exception {
        applying = () ->
                Uni.createFrom().item(new BindingAck(BindingAck.VERSION, "fo", "192.0.2.12", 0, 0, null, null, 0));
        startSecondary(
                Optional.of(resumedWithoutTheScope(FailoverState.COMMUNICATIONS_INTERRUPTED, FailoverState.UNKNOWN)));
        try (java.net.Socket peer = connectAsPrimary("tandem-test")) {
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            long now = System.currentTimeMillis() / 1000;
            // the primary ran alone in PARTNER-DOWN since before this server's last word: both may have served
            sendState(peer, FailoverState.PARTNER_DOWN, false, now - 600, 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> secondaryState().equals("POTENTIAL-CONFLICT"));
            sendState(peer, FailoverState.CONFLICT_DONE, false, now, 3);
            FailoverMessage first = await().atMost(Duration.ofSeconds(10)).until(() -> read(in), m -> m.messageType()
                    .filter(t -> t == MessageType.UPDREQ || t == MessageType.UPDREQALL)
                    .isPresent());
            assertThat(first.messageType()).contains(MessageType.UPDREQ);
            assertThat(secondaryState()).isEqualTo("POTENTIAL-CONFLICT");
            send(peer, FailoverMessages.empty(MessageType.UPDDONE, now, first.xid()));
            FailoverMessage all = await().atMost(Duration.ofSeconds(10)).until(() -> read(in), m -> m.messageType()
                    .filter(MessageType.UPDREQALL::equals)
                    .isPresent());
            assertThat(secondaryState()).isEqualTo("NORMAL");
            // entering NORMAL it balanced its pools, but not the joining scope's: the partner may not have it yet
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(secondaryCommands)
                    .filteredOn(c -> FailoverCommand.BALANCE.equals(c.command()))
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.scopes()).containsExactly("198.51.100.0/24")));
            sendPool(peer, now, Ipv4.parse("192.0.2.12"), BindingStatus.BACKUP, 4);
            send(peer, FailoverMessages.empty(MessageType.UPDDONE, now, all.xid()));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> published.get(published.size() - 1).joining() == null);
        }
    }

    /**
     * Starts the secondary runner under test and connects a socket that plays its primary: CONNECT with the given
     * vendor class, then STATE.
     */
    java.net.Socket scriptedPrimary(String vendor, FailoverState state) throws Exception {
        startSecondary(Optional.empty());
        java.net.Socket peer = connectAsPrimary(vendor);
        long now = System.currentTimeMillis() / 1000;
        send(peer, FailoverMessages.state(now, state, false, now).withXid(2));
        return peer;
    }

    /**
     * A state the secondary stored in an earlier run, when its relationship held only another scope: the configured
     * scope 192.0.2.0/24 joins when it resumes.
     */
    static FailoverStatus resumedWithoutTheScope(FailoverState state, FailoverState partner) {
        return stored("dhcp-b", "secondary", state, partner, 600, "198.51.100.0/24");
    }

    /** A load-balancing state stored in an earlier run, {@code ageSeconds} ago, for the scopes. */
    static FailoverStatus stored(
            String server, String role, FailoverState state, FailoverState partner, long ageSeconds, String... scopes) {
        return FailoverFixtures.status(
                server,
                role,
                "load-balance",
                state,
                java.time.Instant.now().minusSeconds(ageSeconds),
                partner,
                128,
                List.of(scopes),
                null,
                0);
    }

    /**
     * A scripted secondary of the given vendor in {@code state}: it takes the primary runner's connection, answers its
     * CONNECT and reports its state.
     */
    java.net.Socket scriptedSecondary(String vendor, FailoverState state) throws Exception {
        return scriptedSecondary(vendor, state, true);
    }

    /** The same, waiting for the runner to count the partner in contact or not (its startup held, it does not). */
    java.net.Socket scriptedSecondary(String vendor, FailoverState state, boolean awaitContact) throws Exception {
        RelationshipRunner[] p = new RelationshipRunner[1];
        p[0] = primary = new RelationshipRunner(
                "dhcp-a",
                relationship("primary", 16494, 16495),
                pools(),
                1,
                TestSettings.failover(RECHECK, "tandem-test", Duration.ZERO, unansweredAfter),
                // resumed in NORMAL: a new primary would be in RECOVER, asking for everything
                Optional.of(stored(
                        "dhcp-a",
                        "primary",
                        FailoverState.NORMAL,
                        FailoverState.NORMAL,
                        600,
                        "192.0.2.0/24",
                        "198.51.100.0/24")),
                bus(primaryCommands, p),
                new SimpleMeterRegistry(),
                Clock.systemUTC(),
                vertx);
        return acceptPrimary(vendor, state, awaitContact, primary::start);
    }

    /** Takes the primary runner's next connection (after {@code dial}), answers its CONNECT and reports {@code state}. */
    java.net.Socket acceptPrimary(String vendor, FailoverState state, boolean awaitContact, Runnable dial)
            throws Exception {
        try (java.net.ServerSocket listener = new java.net.ServerSocket()) {
            listener.setReuseAddress(true);
            listener.bind(new java.net.InetSocketAddress("127.0.0.1", 16495));
            listener.setSoTimeout(10_000);
            dial.run();
            java.net.Socket peer = listener.accept();
            peer.setSoTimeout(10_000);
            FailoverMessage connect =
                    awaitMessage(new java.io.DataInputStream(peer.getInputStream()), MessageType.CONNECT);
            long now = System.currentTimeMillis() / 1000;
            send(peer, FailoverMessages.connectAck(now, connect.xid(), "fo", 10, 30, vendor, null, null));
            send(peer, FailoverMessages.state(now, state, false, now).withXid(2));
            if (awaitContact) {
                await().atMost(Duration.ofSeconds(10)).until(() -> primary.report()
                        .get(5, TimeUnit.SECONDS)
                        .status()
                        .communicating());
            }
            return peer;
        }
    }

    /** Starts the secondary runner under test, resuming the given state. */
    void startSecondary(Optional<FailoverStatus> restored) {
        RelationshipRunner[] s = new RelationshipRunner[1];
        s[0] = secondary = new RelationshipRunner(
                "dhcp-b",
                relationship("secondary", 16495, 16494),
                pools(),
                1,
                TestSettings.failover(RECHECK, "tandem-test", secondaryStallAfter),
                restored,
                bus(secondaryCommands, s),
                secondaryMetrics,
                Clock.systemUTC(),
                vertx);
        secondary.start();
    }

    /** Connects a socket that plays the secondary's primary and sends CONNECT with the given vendor class. */
    static java.net.Socket connectAsPrimary(String vendor) throws Exception {
        java.net.Socket peer =
                await().atMost(Duration.ofSeconds(10)).until(PairedRunnersTest::dial, java.util.Objects::nonNull);
        peer.setSoTimeout(10_000);
        long now = System.currentTimeMillis() / 1000;
        send(
                peer,
                FailoverMessages.connect(now, "fo", 10, 30, vendor, 60, LoadBalance.Buckets.split(128))
                        .withXid(1));
        return peer;
    }

    String secondaryState() throws Exception {
        return secondary.report().get(5, TimeUnit.SECONDS).status().state();
    }

    static java.net.Socket dial() {
        java.net.Socket s = new java.net.Socket();
        try {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", 16495), 1000);
            return s;
        } catch (java.io.IOException e) {
            try {
                s.close();
            } catch (java.io.IOException ignored) {
                // nothing to release
            }
            return null;
        }
    }

    /** The scripted partner's STATE: its state, whether it is starting, and since when (seconds). */
    static void sendState(java.net.Socket peer, FailoverState state, boolean starting, long since, long xid)
            throws java.io.IOException {
        send(
                peer,
                FailoverMessages.state(System.currentTimeMillis() / 1000, state, starting, since)
                        .withXid(xid));
    }

    static void send(java.net.Socket peer, FailoverMessage m) throws java.io.IOException {
        peer.getOutputStream().write(FailoverCodec.encode(m));
    }

    static FailoverMessage read(java.io.DataInputStream in) throws java.io.IOException {
        return dev.tandem.coordinator.FailoverFrames.read(in);
    }

    /** The scripted partner's BNDACK of our update {@code sent} (of a pool address), taking or refusing it. */
    static void sendAck(java.net.Socket peer, long now, FailoverMessage sent, BindingStatus status, boolean refuse)
            throws java.io.IOException {
        Ipv4 address = sent.address(FailoverOption.ASSIGNED_IP_ADDRESS).orElseThrow();
        send(
                peer,
                FailoverMessages.bindingAck(
                        now,
                        sent.xid(),
                        new Binding(address, status, null, null, 0, 0, now, 0, 0),
                        refuse ? dev.tandem.protocol.failover.RejectReason.OUTDATED_BINDING_INFORMATION : null,
                        refuse ? "incoming update is less critical than outgoing update" : null));
    }

    /** The scripted primary's update of who owns a free address. */
    static void sendPool(java.net.Socket peer, long now, Ipv4 address, BindingStatus status, long xid)
            throws java.io.IOException {
        send(
                peer,
                FailoverMessages.bindingUpdate(now, new Binding(address, status, null, null, 0, 0, now, 0, 0))
                        .withXid(xid));
    }

    /** The runner's BNDACK of the scripted primary's update {@code xid}, skipping whatever comes before it. */
    static FailoverMessage awaitAck(java.io.DataInputStream in, long xid) {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> read(in),
                        m -> m.messageType().filter(MessageType.BNDACK::equals).isPresent() && m.xid() == xid);
    }

    /** The primary runner's update giving {@code address} to {@code owner}, as the scripted partner receives it. */
    FailoverMessage ourPoolUpdate(java.io.DataInputStream in, Ipv4 address, BindingStatus owner, long now, long seq) {
        primary.enqueue(BindingUpdate.of("fo", new Binding(address, owner, null, null, 0, 0, now, 0, 0), seq));
        return awaitUpdate(in, address);
    }

    /** The runner's next BNDUPD of {@code address}, skipping whatever comes before it. */
    static FailoverMessage awaitUpdate(java.io.DataInputStream in, Ipv4 address) {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> read(in),
                        m -> m.messageType().filter(MessageType.BNDUPD::equals).isPresent()
                                && m.address(FailoverOption.ASSIGNED_IP_ADDRESS).equals(Optional.of(address)));
    }
}

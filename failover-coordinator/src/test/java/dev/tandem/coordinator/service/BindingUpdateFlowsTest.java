package dev.tandem.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.coordinator.peer.Channel;
import dev.tandem.protocol.bus.BindingAck;
import dev.tandem.protocol.bus.BindingUpdate;
import dev.tandem.protocol.bus.FailoverCommand;
import dev.tandem.protocol.bus.FailoverStatus;
import dev.tandem.protocol.config.RelationshipConfig;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.failover.Binding;
import dev.tandem.protocol.failover.BindingStatus;
import dev.tandem.protocol.failover.FailoverMessage;
import dev.tandem.protocol.failover.FailoverMessages;
import dev.tandem.protocol.failover.FailoverOption;
import dev.tandem.protocol.failover.MessageType;
import dev.tandem.protocol.failover.RejectReason;
import dev.tandem.protocol.net.Ipv4;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The binding-update flows of one relationship without a socket ({@link UpdateFlows}: our updates, the partner's and the
 * requests both ways, wired as the runner has them), over a channel that records what would go to the partner. Each
 * step runs on the relationship's context, as in the service.
 */
class BindingUpdateFlowsTest {

    static Vertx vertx;

    final RelationshipConfig config = PairedRunnersTest.relationship("primary", 16594, 16595);
    final List<ScopeConfig> pools = PairedRunnersTest.pools();
    final Clock clock = Clock.systemUTC();
    final Recording channel = new Recording();
    final FakeLink link = new FakeLink();
    final List<BindingAck> acknowledged = new CopyOnWriteArrayList<>();
    final List<FailoverCommand> commands = new CopyOnWriteArrayList<>();
    final List<BindingUpdate> applyAsked = new CopyOnWriteArrayList<>();
    /** The lease-service's answer to the next partner update it is asked to apply. */
    CompletableFuture<BindingAck> nextApply = new CompletableFuture<>();

    final List<Boolean> partnerDone = new CopyOnWriteArrayList<>();

    Actor actor;
    UpdateFlows flows;
    OutboundUpdates ours;
    UpdateRequests requests;

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void wire() {
        actor = new Actor(vertx);
        RelationshipRunner.Bus bus = new RelationshipRunner.Bus() {
            @Override
            public void publish(FailoverStatus status) {}

            @Override
            public void acknowledged(BindingAck ack) {
                acknowledged.add(ack);
            }

            @Override
            public void command(FailoverCommand command) {
                commands.add(command);
            }

            @Override
            public Uni<BindingAck> applyPartnerUpdate(BindingUpdate update) {
                applyAsked.add(update);
                return Uni.createFrom().completionStage(nextApply);
            }
        };
        Metrics metrics = new Metrics(new SimpleMeterRegistry(), config.name(), () -> null, () -> null, () -> 0L);
        LeaseServiceCommands leaseService =
                new LeaseServiceCommands(config, bus, actor, () -> 1L, Set::of, link::iscPartner);
        flows = new UpdateFlows(
                config,
                TestSettings.failover(Duration.ZERO),
                link,
                bus,
                leaseService,
                actor,
                metrics,
                clock,
                () -> pools,
                new UpdateFlows.Hooks() {
                    @Override
                    public void arrived(Ipv4 address, boolean fullUpdateAsked) {}

                    @Override
                    public void queued(long sequence) {}

                    @Override
                    public void progress() {}

                    @Override
                    public long revision() {
                        return 1;
                    }

                    @Override
                    public void askingAll() {}

                    @Override
                    public void partnerDone(boolean askedAll) {
                        partnerDone.add(askedAll);
                    }
                });
        ours = flows.ours;
        requests = flows.requests;
    }

    @Test
    void oursGoWithinThePartnersWindowAndTheLatestOfAnAddressReplacesOneStillQueued() {
        link.window = 2;
        on(() -> {
            queue(ours("192.0.2.10", "FREE", 1));
            queue(ours("192.0.2.11", "FREE", 2));
            queue(ours("192.0.2.12", "FREE", 3));
            queue(ours("192.0.2.12", "ACTIVE", 4));
        });
        assertThat(channel.updates()).extracting(this::addressOf).containsExactly("192.0.2.10", "192.0.2.11");
        assertThat(ours.size()).isEqualTo(3);

        on(() -> ack(channel.sent.get(0), null));

        assertThat(channel.updates()).hasSize(3);
        FailoverMessage third = channel.updates().get(2);
        assertThat(addressOf(third)).isEqualTo("192.0.2.12");
        assertThat(FailoverMessages.binding(third).orElseThrow().status()).isEqualTo(BindingStatus.ACTIVE);
        assertThat(acknowledged).singleElement().satisfies(a -> {
            assertThat(a.address()).isEqualTo("192.0.2.10");
            assertThat(a.rejectReason()).isNull();
        });
    }

    @Test
    void anUpdateOutsideThePoolsOrStaleAgainstThePartnersAppliedBindingIsNotSent() {
        on(() -> {
            assertThat(ours.queue(ours("203.0.113.5", "FREE", 1)))
                    .as("outside the pools")
                    .isFalse();
            ours.dropSuperseded("192.0.2.10", 0, 50); // the partner's update of .10 took number 50 here
            assertThat(ours.queue(ours("192.0.2.10", "FREE", 40)))
                    .as("numbered before the partner's")
                    .isFalse();
            assertThat(ours.queue(ours("192.0.2.10", "BACKUP", 60)))
                    .as("numbered after")
                    .isTrue();
        });
    }

    @Test
    void oursOfAnAddressWaitsWhileThePartnersUpdateOfItIsDecided() throws Exception {
        on(() -> flows.onBindingUpdate(channel, partnerUpdate("192.0.2.10", BindingStatus.ACTIVE, 31)));
        assertThat(applyAsked)
                .as("the partner's update of .10 is being applied")
                .hasSize(1);
        on(() -> {
            queue(ours("192.0.2.10", "FREE", 1));
            queue(ours("192.0.2.11", "FREE", 2));
        });
        assertThat(channel.updates()).extracting(this::addressOf).containsExactly("192.0.2.11");

        nextApply.complete(new BindingAck(BindingAck.VERSION, config.name(), "192.0.2.10", 31, 0, null, null, 0));
        awaitOn(() -> channel.updates().size() == 2);
        assertThat(channel.sent)
                .extracting(m -> m.messageType().orElseThrow() + " " + addressOf(m))
                .as("our BNDACK of the partner's update goes before ours of the address")
                .containsSubsequence("BNDACK 192.0.2.10", "BNDUPD 192.0.2.10");
    }

    @Test
    void aRejectionGoesBackToTheLeaseServiceWithNoAcknowledgedExpiration() {
        on(() -> {
            queue(ours("192.0.2.10", "ACTIVE", 7));
            ack(channel.sent.get(0), RejectReason.OUTDATED_BINDING_INFORMATION);
        });
        assertThat(acknowledged).singleElement().satisfies(a -> {
            assertThat(a.sequence()).isEqualTo(7);
            assertThat(a.potentialExpiration()).isZero();
            assertThat(a.rejectReason()).isEqualTo(RejectReason.OUTDATED_BINDING_INFORMATION.name());
            assertThat(a.message()).isEqualTo("refused");
        });
    }

    @Test
    void updateDoneIsOwedUntilEveryUpdateOfTheResendIsAcknowledged() {
        on(() -> requests.onUpdateRequest(channel, request(MessageType.UPDREQ, 77), false));
        FailoverCommand resend = commands.get(0);
        assertThat(resend.command()).isEqualTo(FailoverCommand.RESEND_UNACKED);
        assertThat(requests.resending()).isTrue();

        on(() -> {
            queue(ours("192.0.2.10", "FREE", 1));
            flows.resendEnded(resend.requestId());
        });
        assertThat(requests.resending()).isFalse();
        assertThat(channel.ofType(MessageType.UPDDONE))
                .as("the resent update is not acknowledged yet")
                .isEmpty();

        on(() -> ack(channel.updates().get(0), null));
        assertThat(channel.ofType(MessageType.UPDDONE)).singleElement().satisfies(m -> assertThat(m.xid())
                .isEqualTo(77));
    }

    @Test
    void thePartnersUpdateDuringOurResendWaitsAndIsRefusedWhereOursCrossesIt() {
        on(() -> requests.onUpdateRequest(channel, request(MessageType.UPDREQ, 5), false));
        String resend = commands.get(0).requestId();
        on(() -> flows.onBindingUpdate(channel, partnerUpdate("192.0.2.10", BindingStatus.BACKUP, 901)));
        assertThat(channel.ofType(MessageType.BNDACK))
                .as("held during our resend")
                .isEmpty();

        on(() -> {
            queue(ours("192.0.2.10", "FREE", 3)); // resent: the primary's FREE crosses the partner's BACKUP
            flows.resendEnded(resend);
        });

        assertThat(channel.ofType(MessageType.BNDACK)).singleElement().satisfies(m -> {
            assertThat(m.xid()).isEqualTo(901);
            assertThat(FailoverMessages.rejectReason(m)).contains(RejectReason.OUTDATED_BINDING_INFORMATION);
        });
        assertThat(applyAsked).as("a refused update is not applied").isEmpty();
    }

    @Test
    void thePartnersUpdateDoneCountsOnlyOnceEveryUpdateBeforeItIsApplied() throws Exception {
        on(() -> requests.request(true));
        long asked = channel.ofType(MessageType.UPDREQALL).get(0).xid();
        on(() -> {
            flows.onBindingUpdate(channel, partnerUpdate("192.0.2.11", BindingStatus.BACKUP, 40));
            requests.onUpdateDone(asked);
        });
        assertThat(applyAsked).singleElement().satisfies(u -> assertThat(u.address())
                .isEqualTo("192.0.2.11"));
        assertThat(partnerDone).as("its update is still being applied").isEmpty();
        assertThat(requests.awaiting()).isTrue();

        nextApply.complete(new BindingAck(BindingAck.VERSION, config.name(), "192.0.2.11", 40, 0, null, null, 12));
        awaitOn(() -> !partnerDone.isEmpty());

        assertThat(partnerDone).containsExactly(true);
        assertThat(channel.ofType(MessageType.BNDACK)).singleElement().satisfies(m -> {
            assertThat(m.xid()).isEqualTo(40);
            assertThat(FailoverMessages.rejectReason(m)).isEmpty();
        });
        assertThat(requests.awaiting()).isFalse();
    }

    @Test
    void anUpdateDoneOfAnEarlierRequestDoesNotCount() {
        on(() -> requests.request(false));
        long asked = channel.ofType(MessageType.UPDREQ).get(0).xid();
        on(() -> requests.onUpdateDone(asked + 100));
        assertThat(partnerDone).isEmpty();
        on(() -> requests.onUpdateDone(asked));
        assertThat(partnerDone).containsExactly(false);
    }

    // ---------------------------------------------------------------------------------------------------------------

    void queue(BindingUpdate update) {
        flows.queueOurs(update);
    }

    void ack(FailoverMessage update, RejectReason reject) {
        Binding b = FailoverMessages.binding(update).orElseThrow();
        flows.onBindingAck(FailoverMessages.bindingAck(0, update.xid(), b, reject, reject == null ? null : "refused"));
    }

    BindingUpdate ours(String address, String status, long sequence) {
        return BindingUpdate.of(config.name(), binding(address, BindingStatus.valueOf(status)), sequence);
    }

    static Binding binding(String address, BindingStatus status) {
        long now = Clock.systemUTC().instant().getEpochSecond();
        return new Binding(Ipv4.parse(address), status, null, null, now + 600, now + 600, now, now, 0);
    }

    static FailoverMessage partnerUpdate(String address, BindingStatus status, long xid) {
        return FailoverMessages.bindingUpdate(0, binding(address, status)).withXid(xid);
    }

    static FailoverMessage request(MessageType type, long xid) {
        return FailoverMessages.empty(type, 0, 0).withXid(xid);
    }

    String addressOf(FailoverMessage m) {
        return m.address(FailoverOption.ASSIGNED_IP_ADDRESS).orElseThrow().toString();
    }

    /** Runs the step on the relationship's context and waits for it. */
    void on(Runnable step) {
        try {
            actor.call(() -> {
                        step.run();
                        return null;
                    })
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Waits, on the context, until the condition holds (at most 10 s). */
    void awaitOn(Supplier<Boolean> condition) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!actor.call(condition).get(10, TimeUnit.SECONDS)) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(until);
            Thread.onSpinWait();
        }
    }

    /** What would go to the partner, with the xids a connection gives its requests. */
    static final class Recording implements Channel {
        final List<FailoverMessage> sent = new CopyOnWriteArrayList<>();
        long xid;

        @Override
        public long sendRequest(FailoverMessage message) {
            sent.add(message.withXid(++xid));
            return xid;
        }

        @Override
        public void send(FailoverMessage message) {
            sent.add(message);
        }

        @Override
        public void close() {}

        @Override
        public boolean closed() {
            return false;
        }

        List<FailoverMessage> ofType(MessageType type) {
            List<FailoverMessage> out = new ArrayList<>();
            for (FailoverMessage m : sent) {
                if (m.messageType().orElse(null) == type) {
                    out.add(m);
                }
            }
            return out;
        }

        List<FailoverMessage> updates() {
            return ofType(MessageType.BNDUPD);
        }
    }

    final class FakeLink implements Link {
        long window = 10;

        @Override
        public Channel connection() {
            return channel;
        }

        @Override
        public long window() {
            return window;
        }

        @Override
        public boolean iscPartner() {
            return false;
        }

        @Override
        public void disconnect(RejectReason reason, String why) {}
    }
}

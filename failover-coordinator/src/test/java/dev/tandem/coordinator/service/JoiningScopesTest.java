package dev.tandem.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.net.Ipv4;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Scopes joining a running relationship: which have joined after the partner's full update, and when to ask again. */
class JoiningScopesTest {

    final Vertx vertx = Vertx.vertx();
    final AtomicInteger askedAll = new AtomicInteger();
    final AtomicInteger retried = new AtomicInteger();
    final JoiningScopes joining = new JoiningScopes(
            "fo",
            List.of("192.0.2.0/24", "198.51.100.0/24"),
            new Actor(vertx),
            Clock.systemUTC(),
            PairedRunnersTest::pools,
            askedAll::incrementAndGet,
            retried::incrementAndGet);

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aScopeJoinsOnceThePartnersFullUpdateBringsABindingOfIt() {
        joining.askingAll();
        joining.arrived(Ipv4.parse("192.0.2.15"));
        joining.arrived(Ipv4.parse("203.0.113.1")); // in neither scope

        assertThat(joining.settle()).as("one scope joined").isTrue();

        assertThat(joining.scopes()).containsExactly("198.51.100.0/24");
        assertThat(askedAll)
                .as("not asked again at once: the partner has not asked for ours")
                .hasValue(0);
    }

    @Test
    void aPartnerThatAsksForOursIsAskedForItsOwnAgainAtMostEveryThirtySeconds() {
        joining.askingAll();
        assertThat(joining.settle()).as("nothing joined").isFalse();
        assertThat(joining.scopes()).hasSize(2);

        joining.partnerAskedAll(true);
        assertThat(askedAll).hasValue(1);

        joining.askingAll();
        joining.partnerAskedAll(true);
        assertThat(askedAll)
                .as("asked again within 30 s: the timer asks instead")
                .hasValue(1);
    }

    @Test
    void aPartnerThatAsksForOursWhileWeMayNotAskIsAskedOnlyLater() {
        joining.partnerAskedAll(false);
        assertThat(askedAll).hasValue(0);
        assertThat(joining.settle()).isFalse();
        assertThat(askedAll)
                .as("the partner had asked for ours since our request: asked again")
                .hasValue(1);
    }

    @Test
    void bindingsArrivingWhenNoScopeIsJoiningCountForNothing() {
        JoiningScopes none = new JoiningScopes(
                "fo",
                List.of(),
                new Actor(vertx),
                Clock.systemUTC(),
                PairedRunnersTest::pools,
                askedAll::incrementAndGet,
                retried::incrementAndGet);
        none.arrived(Ipv4.parse("192.0.2.15"));
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.settle()).isFalse();
        assertThat(askedAll).hasValue(0);
    }
}

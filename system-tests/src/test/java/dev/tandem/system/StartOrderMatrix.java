package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.bus.Json;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The start-order matrix of Tandem's dhcp-a and its partner (ISC dhcpd, or Tandem's dhcp-b): every order and timing of
 * their starts, fresh and with state from an earlier run, and a restart of either side in each of NORMAL,
 * COMMUNICATIONS-INTERRUPTED, PARTNER-DOWN, RECOVER and RECOVER-DONE. Each case ends with both sides NORMAL (by each
 * side's own account), a new client of each side's hash buckets served by that side, no address bound twice, and no
 * stall counted by dhcp-a's coordinator; where dhcp-a waits in RECOVER alone, its report names what it waits for. A restart kills the process that holds the
 * failover state (dhcpd, or the coordinator; the chaos run kills the other services); a fresh side has no lease
 * database and no stored state. Cases run in order on one stack, each from where the one before left the pair (both
 * NORMAL). About 15 min per pair: {@code bench/start-order.sh} runs them, CI runs {@link IscStartOrderSystemTest}.
 */
@Tag("matrix")
@ExtendWith(ServiceLogsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StartOrderMatrix {

    static final Duration WAIT = Duration.ofSeconds(150);
    static final String A = Pair.A;
    /** dhcp-a's services in the order they start. */
    static final List<String> SERVICES = List.of("lease-service", "gateway", "coordinator");

    /** dhcp-a's partner, by what the matrix does with it. */
    interface Partner {
        /** Starts whatever of it is not running. */
        void start() throws Exception;

        /** Stops it all (kill: SIGKILL, else SIGTERM). */
        void stop(boolean kill) throws Exception;

        /** Kills the process that holds its failover state and starts it again. */
        void restart() throws Exception;

        /** Its lease database and stored state lost (it is stopped). */
        void forget() throws Exception;

        /** Its failover state by its own account, as the draft names it (upper case); null while unknown. */
        String state() throws Exception;

        /** SIGSTOP / SIGCONT of the process that holds its failover state. */
        void freeze();

        void thaw();

        /** With dhcp-a's coordinator stopped, the partner goes PARTNER-DOWN its operator's way. */
        void partnerDownAlone() throws Exception;

        /** Its DHCP server identifier. */
        String serverId();
    }

    Partner partner;
    int macs;

    /** The stack with its configuration and the partner, both NORMAL. */
    abstract Partner startStack() throws Exception;

    /** dhcp-a's relationship with the partner. */
    abstract String relationship();

    /** The MAC prefix of this matrix's clients (two octets, e.g. {@code 02:00:5e:91}). */
    abstract String macPrefix();

    @BeforeAll
    void start() throws Exception {
        partner = startStack();
        bothNormalAndEachServes();
    }

    @AfterAll
    void stop() throws Exception {
        if (partner != null) {
            partner.stop(false);
        }
        Stack.stop();
    }

    /** No address bound twice, and dhcp-a's coordinator never stalled (no wait without progress past its bound). */
    @AfterEach
    void noAddressIsBoundTwiceAndNothingStalled() throws Exception {
        Pair.audit();
        assertThat(Stack.coordinatorMetrics(A).lines().filter(l -> l.startsWith("tandem_failover_stalls_total")))
                .as("stalls counted by dhcp-a's coordinator")
                .isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Start orders, fresh

    @Test
    @Order(1)
    void freshTandemFirstPartnerWithinItsStartup() throws Exception {
        bothStoppedAndFresh();
        tandemStarts();
        partner.start();
        bothNormalAndEachServes();
    }

    @Test
    @Order(2)
    void freshTandemFirstPartnerAfterTandemLeftStartup() throws Exception {
        bothStoppedAndFresh();
        tandemStarts();
        awaitTandem("RECOVER");
        assertThat(report().get("waitingFor").asText()).isEqualTo("a connection to the partner");
        partner.start();
        bothNormalAndEachServes();
    }

    @Test
    @Order(3)
    void freshPartnerFirstTandemLater() throws Exception {
        bothStoppedAndFresh();
        partner.start();
        awaitPartner("RECOVER");
        tandemStarts();
        bothNormalAndEachServes();
    }

    @Test
    @Order(4)
    void freshBothAtOnce() throws Exception {
        bothStoppedAndFresh();
        bothStartAtOnce();
        bothNormalAndEachServes();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Start orders, with the state of an earlier run (both were NORMAL)

    @Test
    @Order(5)
    void withStateTandemFirstPartnerWithinItsStartup() throws Exception {
        bothStopped();
        tandemStarts();
        partner.start();
        bothNormalAndEachServes();
    }

    @Test
    @Order(6)
    void withStateTandemFirstPartnerAfterTandemLeftStartup() throws Exception {
        bothStopped();
        tandemStarts();
        awaitTandem("COMMUNICATIONS-INTERRUPTED");
        partner.start();
        bothNormalAndEachServes();
    }

    @Test
    @Order(7)
    void withStatePartnerFirstTandemLater() throws Exception {
        bothStopped();
        partner.start();
        awaitPartner("COMMUNICATIONS-INTERRUPTED");
        tandemStarts();
        bothNormalAndEachServes();
    }

    @Test
    @Order(8)
    void withStateBothAtOnce() throws Exception {
        bothStopped();
        bothStartAtOnce();
        bothNormalAndEachServes();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // A restart of either side in each state

    @Test
    @Order(9)
    void tandemRestartsInNormal() throws Exception {
        coordinatorRestarts();
        bothNormalAndEachServes();
    }

    @Test
    @Order(10)
    void partnerRestartsInNormal() throws Exception {
        partner.restart();
        bothNormalAndEachServes();
    }

    @Test
    @Order(11)
    void tandemRestartsInCommunicationsInterrupted() throws Exception {
        partner.stop(false);
        awaitTandem("COMMUNICATIONS-INTERRUPTED");
        coordinatorRestarts();
        awaitTandem("COMMUNICATIONS-INTERRUPTED");
        partner.start();
        bothNormalAndEachServes();
    }

    @Test
    @Order(12)
    void partnerRestartsInCommunicationsInterrupted() throws Exception {
        Stack.script("stop-service", "coordinator");
        awaitPartner("COMMUNICATIONS-INTERRUPTED");
        partner.restart();
        awaitPartner("COMMUNICATIONS-INTERRUPTED");
        Stack.script("start-service", "coordinator");
        bothNormalAndEachServes();
    }

    @Test
    @Order(13)
    void tandemRestartsInPartnerDown() throws Exception {
        partner.stop(false);
        tandemPartnerDown();
        coordinatorRestarts();
        awaitTandem("PARTNER-DOWN");
        partner.start();
        bothNormalAndEachServes();
    }

    @Test
    @Order(14)
    void partnerRestartsInPartnerDown() throws Exception {
        Stack.script("stop-service", "coordinator");
        partner.partnerDownAlone();
        partner.restart();
        awaitPartner("PARTNER-DOWN");
        Stack.script("start-service", "coordinator");
        bothNormalAndEachServes();
    }

    @Test
    @Order(15)
    void tandemRestartsInRecover() throws Exception {
        partner.stop(false);
        tandemStops(true);
        Stack.forgetServer(A, relationship());
        tandemStarts();
        awaitTandem("RECOVER");
        coordinatorRestarts();
        awaitTandem("RECOVER");
        partner.start();
        bothNormalAndEachServes();
    }

    @Test
    @Order(16)
    void partnerRestartsInRecover() throws Exception {
        Stack.script("stop-service", "coordinator");
        partner.stop(false);
        partner.forget();
        partner.start();
        awaitPartner("RECOVER");
        partner.restart();
        awaitPartner("RECOVER");
        Stack.script("start-service", "coordinator");
        bothNormalAndEachServes();
    }

    /**
     * dhcp-a recovers from its partner in PARTNER-DOWN; the partner is frozen while dhcp-a waits out MCLT, so that
     * dhcp-a's RECOVER-DONE finds no answer and lasts: then dhcp-a's coordinator restarts.
     */
    @Test
    @Order(17)
    void tandemRestartsInRecoverDone() throws Exception {
        Stack.script("stop-service", "coordinator");
        partner.partnerDownAlone();
        Stack.script("start-service", "coordinator");
        awaitTandem("RECOVER-WAIT");
        partner.freeze();
        try {
            awaitTandem("RECOVER-DONE");
            coordinatorRestarts();
        } finally {
            partner.thaw();
        }
        bothNormalAndEachServes();
    }

    /**
     * The partner, new, recovers from dhcp-a in PARTNER-DOWN; dhcp-a's coordinator is frozen while the partner waits
     * out MCLT, so that the partner's RECOVER-DONE finds no answer and lasts: then the partner restarts.
     */
    @Test
    @Order(18)
    void partnerRestartsInRecoverDone() throws Exception {
        partner.stop(false);
        tandemPartnerDown();
        partner.forget();
        partner.start();
        awaitPartner("RECOVER-WAIT");
        Stack.script("freeze-service", "coordinator");
        try {
            awaitPartner("RECOVER-DONE");
            partner.restart();
        } finally {
            Stack.script("thaw-service", "coordinator");
        }
        bothNormalAndEachServes();
    }

    // ---------------------------------------------------------------------------------------------------------------

    void bothStopped() throws Exception {
        partner.stop(false);
        tandemStops(false);
    }

    /**
     * Both sides lose their leases and state. The clients still hold what they were given: until those leases have run
     * out, a server that forgot them could give their addresses to others, as any two servers wiped at once would (the
     * audit would rightly see duplicates).
     */
    void bothStoppedAndFresh() throws Exception {
        bothStopped();
        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> java.time.Instant.now().isAfter(ClientAcks.lastExpiry()));
        Stack.forgetServer(A, relationship());
        partner.forget();
    }

    static void tandemStops(boolean kill) {
        for (String service : List.of("coordinator", "gateway", "lease-service")) {
            if (kill) {
                Stack.script("stop-service", service, "--kill");
            } else {
                Stack.script("stop-service", service);
            }
        }
    }

    static void tandemStarts() {
        SERVICES.forEach(s -> Stack.script("start-service", s));
    }

    static void coordinatorRestarts() {
        Stack.script("stop-service", "coordinator", "--kill");
        Stack.script("start-service", "coordinator");
    }

    /** With the partner stopped: dhcp-a goes COMMUNICATIONS-INTERRUPTED, then PARTNER-DOWN by the operator's command. */
    void tandemPartnerDown() {
        awaitTandem("COMMUNICATIONS-INTERRUPTED");
        Stack.command(A, relationship(), "partner-down");
        awaitTandem("PARTNER-DOWN");
    }

    void bothStartAtOnce() throws Exception {
        Stack.script("start-service", "lease-service");
        Stack.script("start-service", "gateway");
        CompletableFuture<String> coordinator =
                CompletableFuture.supplyAsync(() -> Stack.script("start-service", "coordinator"));
        partner.start();
        coordinator.get();
    }

    JsonNode report() throws Exception {
        for (JsonNode r : Json.mapper().readTree(Stack.relationships(A))) {
            if (r.get("relationship").asText().equals(relationship())) {
                return r;
            }
        }
        throw new AssertionError(A + " reports no relationship " + relationship());
    }

    void awaitTandem(String state) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(report().get("state").asText()).isEqualTo(state));
    }

    void awaitPartner(String state) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(() ->
                        assertThat(partner.state()).as("the partner's state").isEqualTo(state));
    }

    /**
     * Both sides NORMAL by their own account (and by each other's), and a new client of each side's hash buckets
     * served by that side.
     */
    void bothNormalAndEachServes() throws Exception {
        await().atMost(WAIT)
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    JsonNode r = report();
                    assertThat(r.get("state").asText()).isEqualTo("NORMAL");
                    assertThat(r.get("partnerState").asText()).isEqualTo("NORMAL");
                    assertThat(r.hasNonNull("waitingFor"))
                            .as("waits for nothing in NORMAL")
                            .isFalse();
                });
        awaitPartner("NORMAL");
        macs++;
        Set<String> servers = new HashSet<>();
        for (boolean primary : new boolean[] {true, false}) {
            String mac = Pair.firstMac(String.format("%s:%02x", macPrefix(), macs), primary);
            var lease = Pair.oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            servers.add(lease.get()[1]);
        }
        assertThat(servers)
                .as("a new client of each side's buckets is served by that side")
                .containsExactlyInAnyOrder(Pair.SERVER_ID_A, partner.serverId());
    }
}

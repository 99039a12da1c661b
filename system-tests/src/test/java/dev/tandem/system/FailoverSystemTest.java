package dev.tandem.system;

import static dev.tandem.system.Pair.A;
import static dev.tandem.system.Pair.B;
import static dev.tandem.system.Pair.JSON;
import static dev.tandem.system.Pair.LAN2;
import static dev.tandem.system.Pair.LAN2_IF;
import static dev.tandem.system.Pair.LEASE_TIME;
import static dev.tandem.system.Pair.MCLT;
import static dev.tandem.system.Pair.RELATIONSHIP;
import static dev.tandem.system.Pair.SERVER_ID_A;
import static dev.tandem.system.Pair.SERVER_ID_B;
import static dev.tandem.system.Pair.WAIT;
import static dev.tandem.system.Pair.active;
import static dev.tandem.system.Pair.audit;
import static dev.tandem.system.Pair.awaitStates;
import static dev.tandem.system.Pair.awaitTablesAgree;
import static dev.tandem.system.Pair.backup;
import static dev.tandem.system.Pair.bound;
import static dev.tandem.system.Pair.bucket;
import static dev.tandem.system.Pair.firstMac;
import static dev.tandem.system.Pair.leaseState;
import static dev.tandem.system.Pair.oneShot;
import static dev.tandem.system.Pair.ownership;
import static dev.tandem.system.Pair.potentialConflicts;
import static dev.tandem.system.Pair.primaryBucket;
import static dev.tandem.system.Pair.relationship;
import static dev.tandem.system.Pair.switchMode;
import static dev.tandem.system.Pair.tablesAgree;
import static dev.tandem.system.Pair.unacknowledged;
import static dev.tandem.system.Pair.unreachable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.access.BusAccess;
import dev.tandem.protocol.bus.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Tandem servers in a failover relationship (dhcp-a primary, dhcp-b secondary), real clients on a LAN that
 * dhcrelay forwards to both, through every failure the draft plans for: load balancing by the RFC 3074 hash,
 * hot-standby, the primary's coordinator and then the whole primary killed with kill -9, the safe period, recovery
 * after restart, a partition of the failover link and its healing. Every test ends with the duplicate-binding audit
 * over the lease events of both servers. Test settings: MCLT 20 s, max-response-delay 6 s, safe period 8 s on the
 * secondary (none on the primary), shared secret set.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ServiceLogsOnFailure.class)
class FailoverSystemTest {

    static final String RENEWER_IF = Stack.PREFIX + "r9";

    @BeforeAll
    static void startStack() {
        Stack.start();
        awaitStates("NORMAL", "NORMAL");
    }

    @AfterAll
    static void stopStack() {
        Stack.stop();
    }

    @AfterEach
    void noAddressWasEverBoundToTwoClients() {
        audit();
    }

    @Test
    @Order(1)
    void bothServersReachNormalWithAnAuthenticatedConnection() throws IOException {
        for (String server : List.of(A, B)) {
            JsonNode r = relationship(server);
            assertThat(r.get("state").asText()).isEqualTo("NORMAL");
            assertThat(r.get("partnerState").asText()).isEqualTo("NORMAL");
            assertThat(r.get("communicating").asBoolean()).isTrue();
            assertThat(r.get("mclt").asLong()).isEqualTo(20);
        }
        // §7.6: the secondary asked for pool balancing on reaching NORMAL and the primary answered once its pass ran
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(Stack.coordinatorMetrics(B))
                    .containsPattern(
                            "tandem_failover_pool_messages_total\\{[^}]*type=\"poolresp-received\"[^}]*} [1-9]");
            assertThat(Stack.coordinatorMetrics(A))
                    .containsPattern("tandem_failover_pool_messages_total\\{[^}]*type=\"poolresp-sent\"[^}]*} [1-9]");
        });
    }

    @Test
    @Order(2)
    void loadBalanceSplitsNewClientsByTheirHash() throws Exception {
        awaitStates("NORMAL", "NORMAL");
        Map<String, String> servedBy = new TreeMap<>();
        int primary = 0;
        for (int i = 1; i <= 16; i++) {
            String mac = String.format("02:00:5e:50:00:%02x", i);
            Optional<String[]> lease = oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            String expected = primaryBucket(mac) ? SERVER_ID_A : SERVER_ID_B;
            assertThat(lease.get()[1])
                    .as("client %s (bucket %d) is served by", mac, bucket(mac))
                    .isEqualTo(expected);
            servedBy.put(mac, lease.get()[1]);
            primary += expected.equals(SERVER_ID_A) ? 1 : 0;
        }
        Files.writeString(
                Stack.WORK.resolve("failover-split.txt"),
                "load-balance 50%: " + primary + " of 16 new clients served by the primary, " + (16 - primary)
                        + " by the secondary\n" + servedBy + "\n");
        assertThat(primary).isBetween(1, 15); // both servers served: these 16 MACs hash to both halves
    }

    @Test
    @Order(3)
    void bothLeaseTablesAgreeOnceBindingUpdatesAreAcknowledged() throws Exception {
        awaitStates("NORMAL", "NORMAL");
        List<String> addresses = new java.util.ArrayList<>();
        for (boolean primarySide : new boolean[] {true, false}) {
            addresses.add(oneShot(firstMac("02:00:5e:50:01", primarySide)).orElseThrow()[0]);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(active(A)).as("the clients just served").containsKeys(addresses.toArray(String[]::new));
            tablesAgree();
        });
    }

    /**
     * Reused addresses (real clients, the primary's hash bucket). A new client of an address whose earlier client's
     * potential expiration the partner acknowledged (its first lease's: MCLT granted, the desired 60 s and half the
     * grant sent) gets MCLT, not up to that time (§5.2.1: the acknowledged expiration belongs to the binding it was
     * acknowledged for; the server could die before the partner hears of the new client, and the partner reuses the
     * address after MCLT). And a client whose lease expired while the partner could not acknowledge that (the
     * secondary's coordinator frozen) does not take the address back: the partner may have given it to another client
     * meanwhile (§5.3). With that coordinator still frozen, the secondary's lease-service stops acting on its last
     * published state once it is older than the bound, so a replica whose state lags serves nobody on old rules.
     */
    @Test
    @Order(4)
    void aReusedAddressStartsAtMcltAndAnExpiryMustBeAcknowledgedBeforeItsClientRetakesTheAddress() throws Exception {
        // the earlier client's lease runs out; acknowledged, the address is the primary's FREE again on both servers
        String earlier = firstMac("02:00:5e:57:00", true);
        String[] first = oneShot(earlier).orElseThrow();
        String address = first[0];
        assertThat(Long.parseLong(first[2])).as("a new client's lease time").isEqualTo(MCLT);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(leaseState(A, address)).isEqualTo("FREE");
            assertThat(leaseState(B, address)).isEqualTo("FREE");
            assertThat(unacknowledged(A)).isZero();
        });
        String[] next = oneShot(firstMac("02:00:5e:57:01", true), "-t 4 -T 1 -r " + address)
                .orElseThrow();
        assertThat(next[0]).as("the new client asked for the reused address").isEqualTo(address);
        assertThat(Long.parseLong(next[2]))
                .as("the new client's first lease time, with the earlier client's acknowledged time still ahead")
                .isLessThanOrEqualTo(MCLT);

        // a lease runs out while the partner cannot acknowledge that: its client gets another address
        Stack.script("freeze-service", "coordinator-b");
        try {
            String expiring = firstMac("02:00:5e:57:02", true);
            String held = oneShot(expiring).orElseThrow()[0];
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(leaseState(A, held)).isEqualTo("EXPIRED"));
            String[] again = oneShot(expiring).orElseThrow();
            assertThat(again[1]).isEqualTo(SERVER_ID_A);
            assertThat(again[0])
                    .as("the address whose expiry is unacknowledged")
                    .isNotEqualTo(held);

            // the secondary's state, no longer published, ages past max-failover-state-age (5 s): its
            // lease-service acts on it no more, and a new client of its hash bucket is served by the primary alone
            // (COMMUNICATIONS-INTERRUPTED), from the primary's pool
            Path log = Path.of(Stack.env().get("TANDEM_RUN_DIR"), "logs", "lease-service-b.log");
            // (it notices on a request: new clients of its bucket keep coming until it has)
            java.util.Iterator<String> probes = java.util.stream.IntStream.range(1, 256)
                    .mapToObj(n -> String.format("02:00:5e:58:00:%02x", n))
                    .filter(mac -> !primaryBucket(mac))
                    .iterator();
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(5)).until(() -> {
                oneShot(probes.next());
                return Files.readString(log).contains("Failover state of " + RELATIONSHIP + " was published");
            });
            assertThat(relationship(A).get("state").asText()).isEqualTo("COMMUNICATIONS-INTERRUPTED");
            String secondarys = firstMac("02:00:5e:57:03", false);
            String[] served = oneShot(secondarys).orElseThrow();
            assertThat(served[1]).isEqualTo(SERVER_ID_A);
            assertThat(backup(A, served[0])).as("from the primary's own pool").isFalse();
        } finally {
            Stack.script("thaw-service", "coordinator-b");
        }
        awaitStates("NORMAL", "NORMAL");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(unacknowledged(A)).isZero();
            assertThat(unacknowledged(B)).isZero();
        });
    }

    @Test
    @Order(5)
    void hotStandbyOnlyTheActiveServerAnswersNewClientsAndThePoolsFollowTheMode() throws Exception {
        awaitStates("NORMAL", "NORMAL");
        switchMode("hot-standby");
        // Pool balancing: the standby keeps only its 10 % reserve of the free addresses and gives the rest back to
        // the primary; both lease tables agree on who owns what.
        await().atMost(WAIT).untilAsserted(() -> {
            long[] b = ownership(B);
            tablesAgree();
            assertThat(b[1]).as("BACKUP of %d free", b[0] + b[1]).isBetween(1L, ((b[0] + b[1]) * 10 + 50) / 100);
        });
        for (int i = 1; i <= 6; i++) {
            String mac = String.format("02:00:5e:51:00:%02x", i);
            Optional<String[]> lease = oneShot(mac);
            assertThat(lease).as("client %s got a lease", mac).isPresent();
            assertThat(lease.get()[1])
                    .as("client %s (bucket %d)", mac, bucket(mac))
                    .isEqualTo(SERVER_ID_A);
        }
        // Back to load-balance 50 %: the primary gives the secondary its half again (the tests below need it).
        switchMode("load-balance");
        await().atMost(WAIT).untilAsserted(() -> {
            long[] b = ownership(B);
            long total = b[0] + b[1];
            tablesAgree();
            assertThat(Math.abs(b[1] - total / 2))
                    .as("BACKUP %d of %d free", b[1], total)
                    .isLessThanOrEqualTo(total * 15 / 100);
        });
    }

    /**
     * The primary dies in parts: its coordinator first (the secondary goes COMMUNICATIONS-INTERRUPTED and a client's
     * renewals go on), then its gateways and lease-service (the secondary serves new clients from its own pool, rebinds
     * the renewing client and goes PARTNER-DOWN after its safe period); restarted, the primary recovers and both are
     * NORMAL with identical lease tables, the renewing client's binding among them.
     */
    @Test
    @Order(6)
    void whenThePrimaryDiesTheSecondaryTakesOverAndTheRestartedPrimaryRecovers() throws Exception {
        awaitStates("NORMAL", "NORMAL");
        Stack.ip(LAN2, "link", "add", "link", LAN2_IF, "name", RENEWER_IF, "type", "macvlan", "mode", "bridge");
        Clients.Client renewer = null;
        try {
            Stack.ip(LAN2, "link", "set", RENEWER_IF, "up");
            renewer = Clients.udhcpc(LAN2, RENEWER_IF, "02:00:5e:52:00:01", "failover-renewer");
            Clients.Client client = renewer;
            await().atMost(WAIT).until(() -> client.last("bound").isPresent());
            String renewerAddress = renewer.last("bound").orElseThrow();

            // The coordinator killed: communications interrupted, renewals go on.
            Stack.script("stop-service", "coordinator", "--kill");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(relationship(B).get("state").asText())
                            .isIn("COMMUNICATIONS-INTERRUPTED", "PARTNER-DOWN"));
            // MCLT 20 s: the first lease is 20 s, T1 10 s; a renewal comes within a lease time.
            long renewals = renewer.count("renew");
            await().atMost(WAIT).until(() -> client.count("renew") > renewals);
            assertThat(renewer.last("renew")).contains(renewerAddress);

            // The rest of the primary killed: the secondary serves new clients from its own pool.
            for (String service : List.of("gateway", "gateway-direct", "lease-service")) {
                Stack.script("stop-service", service, "--kill");
            }
            Instant primaryKilled = Instant.now();
            Optional<String[]> lease = Optional.empty();
            while (lease.isEmpty()
                    && Duration.between(primaryKilled, Instant.now()).compareTo(WAIT) < 0) {
                lease = oneShot("02:00:5e:53:00:01");
            }
            Duration served = Duration.between(primaryKilled, Instant.now());
            assertThat(lease).isPresent();
            assertThat(lease.get()[1]).isEqualTo(SERVER_ID_B);
            assertThat(backup(B, lease.get()[0]))
                    .as(
                            "%s from the secondary's own (BACKUP) pool; secondary %s, free/backup %s",
                            lease.get()[0], relationship(B), java.util.Arrays.toString(ownership(B)))
                    .isTrue();
            Files.writeString(
                    Stack.WORK.resolve("failover-takeover.txt"),
                    "first new client served " + served.toMillis() + " ms after the primary was killed\n");

            // The renewer's lease is rebound by the secondary (RENEWING to the dead primary fails, REBINDING reaches
            // it).
            long before = renewedOn(B, renewerAddress);
            await().atMost(WAIT).until(() -> renewedOn(B, renewerAddress) > before);

            // The safe period (8 s on the secondary) ends COMMUNICATIONS-INTERRUPTED.
            await().atMost(WAIT)
                    .untilAsserted(() ->
                            assertThat(relationship(B).get("state").asText()).isEqualTo("PARTNER-DOWN"));

            // Restarted, the primary recovers.
            for (String service : List.of("lease-service", "gateway", "gateway-direct", "coordinator")) {
                Stack.script("start-service", service);
            }
            awaitStates("NORMAL", "NORMAL");
            awaitTablesAgree();
            assertThat(active(A)).containsKey(renewerAddress);
        } finally {
            if (renewer != null) {
                renewer.process().destroyForcibly();
            }
            Stack.ip(LAN2, "link", "del", RENEWER_IF);
            for (String service : List.of("lease-service", "gateway", "gateway-direct", "coordinator")) {
                Stack.script("start-service", service); // whatever the test left stopped (idempotent)
            }
        }
    }

    static long renewedOn(String server, String address) {
        return LeaseEvents.all().stream()
                .filter(e -> e.server().equals(server)
                        && e.type().equals("renewed")
                        && e.address().equals(address))
                .count();
    }

    /**
     * A partition of the failover link (the secondary goes PARTNER-DOWN after its safe period, the primary stays
     * COMMUNICATIONS-INTERRUPTED): clients of both servers' hash buckets are served, each by its own server, and one
     * client moves: served by the primary while the relay cannot reach the secondary, then by the secondary (which
     * never heard of it) while the relay cannot reach the primary, so each server binds it to another address. The heal
     * goes through POTENTIAL-CONFLICT (§9.9), each server's update of the moving client's binding is answered by the
     * other (the client holds another address there: both bindings stand, none is retried for good), and the pair is
     * NORMAL with both lease tables alike. The client's next exchange ends the binding it no longer uses, on both.
     */
    @Test
    @Order(7)
    void aPartitionIsSurvivedAndHealedThroughPotentialConflict() throws Exception {
        awaitStates("NORMAL", "NORMAL");
        double conflicts = potentialConflicts(A) + potentialConflicts(B);
        List<String> served = new java.util.ArrayList<>();
        String mover = firstMac("02:00:5e:54:02", true);
        String[] moved = new String[2];
        Stack.script("partition");
        try {
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(relationship(A).get("state").asText()).isEqualTo("COMMUNICATIONS-INTERRUPTED");
                assertThat(relationship(B).get("state").asText()).isEqualTo("PARTNER-DOWN");
            });
            // Clients of both servers' hash buckets are served during the partition, each server from its own pool.
            for (boolean primarySide : new boolean[] {true, false}) {
                Optional<String[]> lease = oneShot(firstMac("02:00:5e:54:01", primarySide));
                assertThat(lease)
                        .as("a client of the %s's buckets is served", primarySide ? "primary" : "secondary")
                        .isPresent();
                served.add(lease.get()[0]);
            }
            String[] fromA = unreachable(SERVER_ID_B, () -> oneShot(mover)).orElseThrow();
            assertThat(fromA[1])
                    .as("the moving client, the secondary out of reach")
                    .isEqualTo(SERVER_ID_A);
            String[] fromB = unreachable(SERVER_ID_A, () -> oneShot(mover)).orElseThrow();
            assertThat(fromB[1])
                    .as("the moving client, the primary out of reach")
                    .isEqualTo(SERVER_ID_B);
            assertThat(fromB[0]).as("the secondary's address for it").isNotEqualTo(fromA[0]);
            moved[0] = fromA[0];
            moved[1] = fromB[0];
        } finally {
            Stack.script("heal");
        }
        awaitStates("NORMAL", "NORMAL");
        // Both served: the heal goes through POTENTIAL-CONFLICT (§9.9), and each lease given during the partition
        // ends up in both tables, the moving client's two bindings included.
        assertThat(potentialConflicts(A) + potentialConflicts(B))
                .as("transitions to POTENTIAL-CONFLICT")
                .isGreaterThan(conflicts);
        String moverKey = "id:01" + mover.replace(":", "");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(active(A))
                    .containsKeys(served.toArray(String[]::new))
                    .containsEntry(moved[0], moverKey)
                    .containsEntry(moved[1], moverKey);
            tablesAgree();
        });

        // The moving client's next exchange: the server that answers keeps one binding and ends the other, and the
        // partner hears of both.
        Instant next = Instant.now();
        String[] lease = oneShot(mover).orElseThrow();
        String kept = lease[0];
        assertThat(kept).isIn((Object[]) moved);
        String other = kept.equals(moved[0]) ? moved[1] : moved[0];
        String answered = lease[1].equals(SERVER_ID_A) ? A : B;
        // ended by that exchange, not by running out: the server that answered released it
        await().atMost(WAIT).untilAsserted(() -> assertThat(LeaseEvents.forAddress(other))
                .anyMatch(e -> e.type().equals("released")
                        && e.server().equals(answered)
                        && moverKey.equals(e.clientKey())
                        && !e.at().isBefore(next.minusSeconds(1))));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(active(A).entrySet().stream()
                            .filter(e -> e.getValue().equals(moverKey))
                            .map(Map.Entry::getKey))
                    .containsExactly(kept);
            tablesAgree();
        });
    }

    @Test
    @Order(8)
    void aPlannedHandoverLosesNoExchangeAndThePrimaryRejoins() throws Exception {
        awaitStates("NORMAL", "NORMAL");
        // New clients keep arriving, each with a single DISCOVER and no retransmission: a client nobody answers is
        // an exchange lost. Maintenance starts on the primary after the first client.
        int clients = 12;
        List<String> lost = new java.util.ArrayList<>();
        for (int i = 1; i <= clients; i++) {
            if (i == 2) {
                assertThat(Stack.command(A, RELATIONSHIP, "maintenance")).contains("SHUTDOWN");
            }
            String mac = String.format("02:00:5e:55:00:%02x", i);
            if (oneShot(mac, "-t 1 -T 3").isEmpty()) {
                lost.add(mac);
            }
        }
        assertThat(relationship(A).get("state").asText()).isEqualTo("SHUTDOWN");
        assertThat(relationship(B).get("state").asText()).isEqualTo("PARTNER-DOWN");
        Files.writeString(
                Stack.WORK.resolve("failover-handover.txt"),
                "planned handover: " + lost.size() + " of " + clients + " single-attempt exchanges lost " + lost
                        + "\n");
        assertThat(lost).isEmpty();

        // The primary rejoins through RECOVER and both are NORMAL with the same leases.
        Stack.command(A, RELATIONSHIP, "maintenance", "DELETE");
        awaitStates("NORMAL", "NORMAL");
        awaitTablesAgree();
    }

    /**
     * Lost stable storage (§9.3.2): the secondary's lease database is lost while its coordinator runs on with its
     * stored NORMAL. The lease-service, started on the new empty database, names it; the coordinator finds it is not
     * the database its state went with, counts it, and starts the relationship over as a new server: RECOVER, every
     * binding from the primary (UPDREQALL), then NORMAL with the primary's lease table.
     */
    @Test
    @Order(9)
    void aSecondaryWhoseLeaseDatabaseIsLostRecoversEveryBindingFromThePrimary() throws Exception {
        awaitStates("NORMAL", "NORMAL");
        List<String> addresses = new java.util.ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            Optional<String[]> lease = oneShot(String.format("02:00:5e:56:00:%02x", i));
            assertThat(lease).isPresent();
            addresses.add(lease.get()[0]);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(bound(A)).containsKeys(addresses.toArray(String[]::new)));
        Map<String, String> before = new TreeMap<>(bound(A));
        before.keySet().retainAll(addresses);
        await().atMost(WAIT).untilAsserted(() -> assertThat(bound(B)).containsAllEntriesOf(before));
        Stack.script("stop-service", "lease-service-b");
        Stack.loseDatabase(B);
        Stack.script("start-service", "lease-service-b");
        await().atMost(WAIT).untilAsserted(() -> assertThat(Stack.coordinatorMetrics(B))
                .containsPattern("tandem_failover_lease_store_lost_total(\\{[^}]*})? [1-9]"));
        awaitStates("NORMAL", "NORMAL");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(bound(B)).as("every binding back from the primary").containsAllEntriesOf(before);
            tablesAgree(); // the owner of every free address too: the full update sent never-changed rows as well
        });
        assertThat(Stack.coordinatorMetrics(B))
                .containsPattern("tandem_failover_transitions_total\\{[^}]*to=\"RECOVER\"[^}]*} [1-9]");
    }

    /**
     * Fate-sharing: a part of the primary's data path fails while its coordinator runs on (its lease-service killed,
     * or frozen past the gateway's request timeout, its relay-side gateway killed, its PostgreSQL stopped, which the
     * secondary's is not, or its lease-service running on but denied its failover state by Kafka). The primary goes PAUSED, saying why, and the secondary serves the primary's new clients
     * too; once the part is back both are NORMAL and the primary serves its share again. How soon the first new client of the primary's share was served after each fault
     * is written to failover-fate-sharing.txt.
     */
    @Test
    @Order(10)
    void aPrimaryThatCannotServeHandsOverToTheSecondaryAndTakesItsShareBack() throws Exception {
        StringBuilder report = new StringBuilder();
        // afterPause: the primary's lease-service still serves on its last state, rightly, until the coordinator pauses
        record Fault(String name, Runnable inject, Runnable repair, String why, boolean afterPause) {
            Fault(String name, Runnable inject, Runnable repair, String why) {
                this(name, inject, repair, why, false);
            }
        }
        List<Fault> faults = List.of(
                new Fault(
                        "lease-service killed",
                        script("stop-service", "lease-service", "--kill"),
                        script("start-service", "lease-service"),
                        "lease-service"),
                new Fault(
                        "lease-service frozen",
                        script("freeze-service", "lease-service"),
                        script("thaw-service", "lease-service"),
                        "lease-service"),
                new Fault(
                        "gateway killed",
                        script("stop-service", "gateway", "--kill"),
                        script("start-service", "gateway"),
                        "gateway"),
                new Fault(
                        "PostgreSQL stopped",
                        script("stop-postgres", A),
                        script("start-postgres", A),
                        "cannot commit to PostgreSQL"),
                // the lease-service runs, commits and takes requests, but its state consumer reads nothing
                new Fault(
                        "lease-service cannot read its failover state",
                        () -> stateReads(A, AclOperation.CREATE),
                        () -> stateReads(A, AclOperation.DELETE),
                        "its state consumer lags",
                        true));
        for (int n = 0; n < faults.size(); n++) {
            String fault = faults.get(n).name();
            awaitStates("NORMAL", "NORMAL");
            String mac = firstMac(String.format("02:00:5e:58:%02x", n), true);
            Instant failed = Instant.now();
            faults.get(n).inject().run();
            try {
                if (faults.get(n).afterPause()) {
                    await().atMost(WAIT).untilAsserted(() -> assertThat(
                                    relationship(A).get("state").asText())
                            .isEqualTo("PAUSED"));
                    report.append(fault)
                            .append(": the primary paused ")
                            .append(Duration.between(failed, Instant.now()).toMillis())
                            .append(" ms after the fault\n");
                }
                Optional<String[]> lease = Optional.empty();
                while (lease.isEmpty()
                        && Duration.between(failed, Instant.now()).compareTo(WAIT) < 0) {
                    lease = oneShot(mac, "-t 1 -T 1");
                }
                Duration served = Duration.between(failed, Instant.now());
                assertThat(lease)
                        .as("%s: a new client of the primary's share is served", fault)
                        .isPresent();
                assertThat(lease.get()[1]).as("%s: by the secondary", fault).isEqualTo(SERVER_ID_B);
                JsonNode paused = relationship(A);
                assertThat(paused.get("state").asText()).isEqualTo("PAUSED");
                assertThat(paused.get("cannotServe").asText())
                        .as("why")
                        .contains(faults.get(n).why());
                assertThat(relationship(B).get("state").asText()).isEqualTo("COMMUNICATIONS-INTERRUPTED");
                report.append(fault)
                        .append(": first new client of the primary's share served ")
                        .append(served.toMillis())
                        .append(" ms after the fault\n");
            } finally {
                // repaired whatever failed above: a frozen service left behind would stall the tests after this one
                faults.get(n).repair().run();
            }
            awaitStates("NORMAL", "NORMAL");
            String back = firstMac(String.format("02:00:5e:59:%02x", n), true);
            Optional<String[]> again = Optional.empty();
            for (int attempt = 0; attempt < 10 && again.isEmpty(); attempt++) {
                again = oneShot(back);
            }
            assertThat(again).as("%s over: the primary's client", fault).isPresent();
            assertThat(again.get()[1])
                    .as("%s over: served by the primary again", fault)
                    .isEqualTo(SERVER_ID_A);
        }
        Files.writeString(Stack.WORK.resolve("failover-fate-sharing.txt"), report.toString());
        awaitTablesAgree();
    }

    private static Runnable script(String... command) {
        return () -> Stack.script(command);
    }

    /**
     * Denies (CREATE) or allows again (DELETE) the server's lease-service reading its failover state topic, through a
     * DENY ACL that overrides its grant: a fault of the state consumer alone.
     */
    private static void stateReads(String server, AclOperation change) {
        AclBinding deny = new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, Topics.failoverState(server), PatternType.LITERAL),
                new AccessControlEntry(
                        "User:" + BusAccess.principal(server, "lease-service"),
                        "*",
                        AclOperation.READ,
                        AclPermissionType.DENY));
        try (Admin admin = Admin.create(Stack.kafkaClient(Stack.KAFKA_ADMIN))) {
            if (change == AclOperation.CREATE) {
                admin.createAcls(List.of(deny)).all().get(30, TimeUnit.SECONDS);
            } else {
                admin.deleteAcls(List.of(deny.toFilter())).all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot change the ACLs: " + e, e);
        }
    }

    /**
     * PostgreSQL, then Kafka, restarted under the running services: none of them is restarted, each is ready again,
     * both servers are NORMAL, and new clients of each share are served by their own server.
     */
    @Test
    @Order(11)
    void theServicesCarryOnAcrossARestartOfPostgresqlAndOfKafka() throws Exception {
        Map<String, String> pids = Stack.servicePids();
        int n = 0;
        for (String restart : List.of("restart-postgres", "restart-kafka")) {
            awaitStates("NORMAL", "NORMAL");
            Stack.script(restart);
            Stack.script("ready");
            awaitStates("NORMAL", "NORMAL");
            for (boolean primaryShare : List.of(true, false)) {
                String mac = firstMac(String.format("02:00:5e:5a:%02x", n++), primaryShare);
                Optional<String[]> lease = Optional.empty();
                for (int attempt = 0; attempt < 10 && lease.isEmpty(); attempt++) {
                    lease = oneShot(mac);
                }
                assertThat(lease)
                        .as("after %s, a client of the %s's share", restart, primaryShare ? "primary" : "secondary")
                        .isPresent();
                assertThat(lease.get()[1]).isEqualTo(primaryShare ? SERVER_ID_A : SERVER_ID_B);
            }
        }
        assertThat(Stack.servicePids()).as("no service was restarted").isEqualTo(pids);
        awaitTablesAgree();
    }

    /**
     * The chaos run's short variant (bench/chaos.sh, its full schedule and figures in bench/README.md): perfdhcp load
     * through the relay to both servers, udhcpc and dhclient clients that renew, and five faults one after the
     * other, each repaired; the scope leaving the relationship and joining again under load bound addresses twice in
     * full runs (seeds 21 and 22), and here swapped free addresses' owners. Its audit must find no address
     * acknowledged or bound to two clients, no lease a client still holds missing from both servers, both lease tables
     * alike, and the pair NORMAL again after every fault.
     */
    @Test
    @Order(12)
    void aShortChaosRunUnderLoadLosesAndDuplicatesNothing() throws Exception {
        Path out = Stack.WORK.resolve("chaos");
        Map<String, String> env = Stack.env();
        env.putAll(Map.of(
                "TANDEM_RELATIONSHIP", RELATIONSHIP,
                "CHAOS_FAULTS", "kill:lease-service join partition mode kill:coordinator-b",
                "CHAOS_HOLD", "6",
                "CHAOS_CLIENTS", "20",
                "CHAOS_RATE", "10",
                "CHAOS_OUT", out.toString()));
        String table = Stack.run(
                Duration.ofMinutes(15),
                env,
                List.of(Stack.ROOT.resolve("bench/chaos.sh").toString(), "13"));
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("duplicates").asInt()).as(table).isZero();
        assertThat(summary.get("lost").asInt()).as(table).isZero();
        assertThat(summary.get("differ").asInt()).as(table).isZero();
        assertThat(summary.get("faults")).as(table).hasSize(5);
        for (JsonNode fault : summary.get("faults")) {
            assertThat(fault.get("normal").isNumber())
                    .as("%s: NORMAL again\n%s", fault, table)
                    .isTrue();
            assertThat(fault.get("takeover").isNumber())
                    .as("%s: a new client served\n%s", fault, table)
                    .isTrue();
        }
    }

    /**
     * PARTNER-DOWN reuses an expired address only once MCLT has passed since entering PARTNER-DOWN, not only since
     * the address's expiry and potential expirations (§5.2.2, §9.5.2): the partner may have given it away until then.
     * The primary stays COMMUNICATIONS-INTERRUPTED through a partition (no safe period on it) while a client's lease
     * of its pool runs out, unacknowledged, and past its potential expiration + MCLT; then the operator declares
     * PARTNER-DOWN. A new client that asks for the address gets another one until MCLT has passed since; then the
     * address is reused. About two minutes of waiting: run by {@code bench/long-tests.sh}, not by the test command.
     */
    @Test
    @Order(13)
    @Tag("long")
    void partnerDownReusesAnExpiredAddressOnlyMcltAfterEnteringIt() throws Exception {
        awaitStates("NORMAL", "NORMAL");
        Stack.script("partition");
        try {
            await().atMost(WAIT)
                    .untilAsserted(() ->
                            assertThat(relationship(A).get("state").asText()).isEqualTo("COMMUNICATIONS-INTERRUPTED"));
            // the secondary, PARTNER-DOWN after its safe period, would answer the primary's clients too
            String[] lease = unreachable(SERVER_ID_B, () -> oneShot(firstMac("02:00:5e:5b:00", true)))
                    .orElseThrow();
            assertThat(lease[1]).isEqualTo(SERVER_ID_A);
            String address = lease[0];
            // its potential expiration (the desired lease and half the granted one after it was given) and MCLT pass
            Instant potential = Instant.now().plusSeconds(LEASE_TIME + Long.parseLong(lease[2]) / 2);
            await().atMost(WAIT.plusSeconds(60))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> Instant.now().isAfter(potential.plusSeconds(MCLT + 2))
                            && "EXPIRED".equals(leaseState(A, address)));
            assertThat(relationship(A).get("state").asText()).isEqualTo("COMMUNICATIONS-INTERRUPTED");

            assertThat(Stack.command(A, RELATIONSHIP, "partner-down")).contains("PARTNER-DOWN");
            Instant entered = Instant.now();
            String[] early = unreachable(
                            SERVER_ID_B, () -> oneShot(firstMac("02:00:5e:5b:01", true), "-t 4 -T 1 -r " + address))
                    .orElseThrow();
            assertThat(Instant.now())
                    .as("asked within MCLT of entering PARTNER-DOWN")
                    .isBefore(entered.plusSeconds(MCLT));
            assertThat(early[0])
                    .as("an address expired before PARTNER-DOWN, within MCLT of it")
                    .isNotEqualTo(address);

            await().atMost(WAIT).until(() -> Instant.now().isAfter(entered.plusSeconds(MCLT + 1)));
            String[] late = unreachable(
                            SERVER_ID_B, () -> oneShot(firstMac("02:00:5e:5b:02", true), "-t 4 -T 1 -r " + address))
                    .orElseThrow();
            assertThat(late[0])
                    .as("the address, MCLT after entering PARTNER-DOWN")
                    .isEqualTo(address);
        } finally {
            Stack.script("heal");
        }
        awaitStates("NORMAL", "NORMAL");
        awaitTablesAgree();
    }
}

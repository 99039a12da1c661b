package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.bus.LeaseEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The duplicate-binding audit that ends every system test finds what it claims to, and nothing else. */
class LeaseEventsAuditTest {

    static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    static LeaseEvent event(String type, String server, String state, String client, int at, int until, long seq) {
        return new LeaseEvent(
                LeaseEvent.VERSION,
                "e" + seq,
                type,
                server,
                "198.18.135.0/24",
                "198.18.135.20",
                state,
                client,
                null,
                null,
                null,
                seq,
                T.plusSeconds(at),
                until < 0 ? null : T.plusSeconds(until));
    }

    /** dhcp-a binds the address to id:01, dhcp-b applies it, the client releases it to dhcp-a; then the rest. */
    static List<LeaseEvent> releasedThen(LeaseEvent... rest) {
        List<LeaseEvent> events = new java.util.ArrayList<>(List.of(
                event("committed", "dhcp-a", "ACTIVE", "id:01", 0, 3600, 1),
                event("partner-update", "dhcp-b", "ACTIVE", "id:01", 1, 3600, 2),
                event("released", "dhcp-a", "RELEASED", "id:01", 20, -1, 3)));
        events.addAll(List.of(rest));
        return events;
    }

    /** Another client's binding while the first runs: by the other server, or a partner's applied over it. */
    @Test
    void aSecondClientBoundWhileTheFirstsLeaseRunsIsFound() {
        LeaseEvent first = event("committed", "dhcp-a", "ACTIVE", "id:01", 0, 3600, 1);
        LeaseEvent byTheOtherServer = event("committed", "dhcp-b", "ACTIVE", "id:02", 10, 3600, 2);
        LeaseEvent ownOnB = event("committed", "dhcp-b", "ACTIVE", "id:01", 0, 3600, 1);
        LeaseEvent partnersOnB = event("partner-update", "dhcp-b", "ACTIVE", "id:02", 10, 3600, 2);
        assertThat(LeaseEvents.duplicateBindings(List.of(first, byTheOtherServer)))
                .hasSize(1);
        assertThat(LeaseEvents.duplicateBindings(List.of(ownOnB, partnersOnB))).hasSize(1);
    }

    @Test
    void anAddressReusedAfterItsReleaseIsNoDuplicate() {
        assertThat(LeaseEvents.duplicateBindings(releasedThen(
                        event("partner-update", "dhcp-b", "FREE", "id:01", 21, -1, 4),
                        event("committed", "dhcp-a", "ACTIVE", "id:02", 30, 3600, 5),
                        event("partner-update", "dhcp-b", "ACTIVE", "id:02", 31, 3600, 6))))
                .isEmpty();
    }

    @Test
    void aReusedAddressWhosePreviousLeaseStillRunsOnThePartnerIsFound() {
        // dhcp-b never heard of the release: its view of the first lease still runs
        assertThat(LeaseEvents.duplicateBindings(
                        releasedThen(event("committed", "dhcp-a", "ACTIVE", "id:02", 30, 3600, 4))))
                .hasSize(1);
    }

    @Test
    void clientsAcknowledgedOneAddressForOverlappingLeasesAreFound() {
        ClientAcks.Ack first = new ClientAcks.Ack("02:00:5e:00:00:01", "198.18.135.20", "198.18.68.2", T, 60);
        ClientAcks.Ack overlapping =
                new ClientAcks.Ack("02:00:5e:00:00:02", "198.18.135.20", "198.18.68.2", T.plusSeconds(30), 60);
        ClientAcks.Ack after =
                new ClientAcks.Ack("02:00:5e:00:00:02", "198.18.135.20", "198.18.68.2", T.plusSeconds(61), 60);
        assertThat(ClientAcks.violations(List.of(first, overlapping), List.of()))
                .hasSize(1);
        assertThat(ClientAcks.violations(List.of(first, after), List.of())).isEmpty();
    }

    @Test
    void aLeaseATandemServerAcknowledgedWithoutItsEventIsFound() {
        ClientAcks.Ack ack =
                new ClientAcks.Ack("02:00:5e:00:00:01", "198.18.135.20", "198.18.4.1", T.plusSeconds(1), 60);
        LeaseEvent committed = event("committed", "dhcp-a", "ACTIVE", "id:0102005e000001", 0, 60, 1);
        LeaseEvent otherServer = event("committed", "dhcp-b", "ACTIVE", "id:0102005e000001", 0, 60, 1);
        assertThat(ClientAcks.violations(List.of(ack), List.of(committed))).isEmpty();
        assertThat(ClientAcks.violations(List.of(ack), List.of(otherServer))).hasSize(1);
    }
}

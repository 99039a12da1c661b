package dev.tandem.lease.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.lease.domain.DnsPlan.Holder;
import dev.tandem.lease.domain.DnsPlan.Registration;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.net.Ipv4;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which registration one lease event takes out of DNS and which it puts in. */
class DnsPlanTest {

    static final Ipv4 ADDRESS = Ipv4.parse("192.0.2.10");

    /** {@code client/name/forward}, e.g. {@code a/pc.example.test./true}; null: nothing registered. */
    static Optional<Registration> registration(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] p = text.split("/");
        return Optional.of(new Registration(ADDRESS, "hw:1:" + p[0], p[1], Boolean.parseBoolean(p[2]), true));
    }

    @ParameterizedTest(name = "[{index}] {0} {1} of {2} name {3} A={4}; registered {5}; row {6} -> remove {7}, add {8}")
    @CsvSource(
            nullValues = "-",
            value = {
                // this server binds a client with a name: registered once, nothing on a plain renewal
                "committed, ACTIVE, a, pc.example.test., true, -, -, -, a/pc.example.test./true",
                "renewed, ACTIVE, a, pc.example.test., true, -, -, -, a/pc.example.test./true",
                "renewed, ACTIVE, a, pc.example.test., true, a/pc.example.test./true, -, -, -",
                // a new name, a change of who updates A, another client: the old registration goes first
                "renewed, ACTIVE, a, new.example.test., true, a/pc.example.test./true, -, a/pc.example.test./true, a/new.example.test./true",
                "renewed, ACTIVE, a, pc.example.test., false, a/pc.example.test./true, -, a/pc.example.test./true, a/pc.example.test./false",
                "committed, ACTIVE, b, tv.example.test., true, a/pc.example.test./true, -, a/pc.example.test./true, b/tv.example.test./true",
                // bound here without a name (the client dropped it, or asked for no updates)
                "renewed, ACTIVE, a, -, -, a/pc.example.test./true, -, a/pc.example.test./true, -",
                "committed, ACTIVE, a, -, -, -, -, -, -",
                // the binding ends here: the registration goes, unless the row shows the client bound again
                "released, RELEASED, a, -, -, a/pc.example.test./true, RELEASED:a, a/pc.example.test./true, -",
                "expired, EXPIRED, a, -, -, a/pc.example.test./true, EXPIRED:a, a/pc.example.test./true, -",
                "declined, DECLINED, a, -, -, a/pc.example.test./true, DECLINED:a, a/pc.example.test./true, -",
                "reclaimed, FREE, a, -, -, a/pc.example.test./true, FREE:-, a/pc.example.test./true, -",
                "expired, EXPIRED, a, -, -, a/pc.example.test./true, ACTIVE:a, -, -",
                "expired, EXPIRED, a, -, -, a/pc.example.test./true, ACTIVE:b, a/pc.example.test./true, -",
                "released, RELEASED, a, -, -, -, RELEASED:a, -, -",
                // the partner's updates never register; they end ours when the client is no longer bound
                "partner-update, ACTIVE, a, -, -, -, ACTIVE:a, -, -",
                "partner-update, ACTIVE, a, -, -, a/pc.example.test./true, ACTIVE:a, -, -",
                "partner-update, ACTIVE, b, -, -, a/pc.example.test./true, ACTIVE:b, a/pc.example.test./true, -",
                "partner-update, RELEASED, a, -, -, a/pc.example.test./true, RELEASED:a, a/pc.example.test./true, -",
                "partner-update, EXPIRED, a, -, -, a/pc.example.test./true, ACTIVE:a, a/pc.example.test./true, -",
            })
    void plans(
            String type,
            String state,
            String client,
            String fqdn,
            Boolean forward,
            String registered,
            String row,
            String remove,
            String add) {
        LeaseEvent event = new LeaseEvent(
                LeaseEvent.VERSION,
                "id",
                type,
                "dhcp-a",
                "192.0.2.0/24",
                ADDRESS.toString(),
                state,
                "hw:1:" + client,
                null,
                null,
                null,
                1,
                Instant.now(),
                null,
                fqdn,
                forward);
        Optional<Holder> now = row == null
                ? Optional.empty()
                : Optional.of(new Holder(row.split(":")[0], row.endsWith(":-") ? null : "hw:1:" + row.split(":")[1]));
        DnsPlan plan = DnsPlan.of(event, true, registration(registered), now);
        assertThat(Optional.ofNullable(plan.remove())).as("remove").isEqualTo(registration(remove));
        assertThat(Optional.ofNullable(plan.add())).as("add").isEqualTo(registration(add));
    }
}

package dev.tandem.lease.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.lease.domain.DnsPlan.Holder;
import dev.tandem.lease.domain.DnsPlan.Registration;
import dev.tandem.lease.domain.DnsPlan.Stored;
import dev.tandem.lease.domain.DnsPlan.Target;
import dev.tandem.protocol.bus.LeaseEvent;
import dev.tandem.protocol.config.ScopeConfig.DdnsConfig;
import dev.tandem.protocol.net.Ipv4;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which registration one lease event takes out of DNS and which it puts in, against the table now. */
class DnsPlanTest {

    static final Ipv4 ADDRESS = Ipv4.parse("192.0.2.10");
    static final Instant AT = Instant.parse("2026-12-07T12:00:00Z");
    static final DdnsConfig DDNS = new DdnsConfig(
            "example.test.",
            "2.0.192.in-addr.arpa.",
            Ipv4.parse("192.0.2.53"),
            53,
            "k.",
            "example.test.",
            false,
            false,
            1200);
    static final Target OLD = new Target("old.test.", null, Ipv4.parse("192.0.2.54"), 53, null);

    /**
     * {@code client/name/forward[/age seconds][/old]}, e.g. {@code a/pc/true/3600}: a registration of {@code
     * pc.example.test.} for client {@code hw:1:a} made that long before the event, under the old settings if {@code
     * old}.
     */
    static Optional<Stored> stored(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] p = text.split("/");
        long age = p.length > 3 ? Long.parseLong(p[3]) : 0;
        Target target = p.length > 4 && p[4].equals("old") ? OLD : Target.of(DDNS);
        return Optional.of(new Stored(
                new Registration(ADDRESS, "hw:1:" + p[0], p[1] + ".example.test.", Boolean.parseBoolean(p[2]), target),
                AT.minusSeconds(age)));
    }

    static Optional<Registration> registration(String text) {
        return stored(text).map(Stored::registration);
    }

    @ParameterizedTest(
            name = "[{index}] {0} {1} of {2} name {3} A={4} ddns {5}; registered {6}; row {7} -> remove {8}, add {9}")
    @CsvSource(
            nullValues = "-",
            value = {
                // this server binds a client with a name: registered once; binding it again sends nothing until a lease
                // time has passed since the name was last registered
                "committed, ACTIVE, a, pc, true, on, -, ACTIVE:a, -, a/pc/true",
                "renewed, ACTIVE, a, pc, true, on, -, ACTIVE:a, -, a/pc/true",
                "renewed, ACTIVE, a, pc, true, on, a/pc/true/1800, ACTIVE:a, -, -",
                "renewed, ACTIVE, a, pc, true, on, a/pc/true/3600, ACTIVE:a, -, a/pc/true",
                "committed, ACTIVE, a, pc, true, on, a/pc/true/7200, ACTIVE:a, -, a/pc/true",
                "committed, ACTIVE, a, pc, true, on, a/pc/true/1800, ACTIVE:a, -, -",
                // a new name, a change of who updates A, another client, other settings: the old registration first
                "renewed, ACTIVE, a, new, true, on, a/pc/true, ACTIVE:a, a/pc/true, a/new/true",
                "renewed, ACTIVE, a, pc, false, on, a/pc/true, ACTIVE:a, a/pc/true, a/pc/false",
                "committed, ACTIVE, b, tv, true, on, a/pc/true, ACTIVE:b, a/pc/true, b/tv/true",
                "renewed, ACTIVE, a, pc, true, on, a/pc/true/0/old, ACTIVE:a, a/pc/true/0/old, a/pc/true",
                // the scope no longer updates DNS: nothing new, the client's records stay until its binding ends
                "renewed, ACTIVE, a, pc, true, off, a/pc/true, ACTIVE:a, -, -",
                "committed, ACTIVE, a, pc, true, off, -, ACTIVE:a, -, -",
                // a binding the table has overtaken registers nothing (the address is another's, or ended, by now)
                "committed, ACTIVE, a, pc, true, on, -, ACTIVE:b, -, -",
                "committed, ACTIVE, a, pc, true, on, a/pc/true, RELEASED:a, a/pc/true, -",
                // bound without a name: the same client keeps its records, another client's go
                "renewed, ACTIVE, a, -, -, on, a/pc/true, ACTIVE:a, -, -",
                "committed, ACTIVE, b, -, -, on, a/pc/true, ACTIVE:b, a/pc/true, -",
                "committed, ACTIVE, a, -, -, on, -, ACTIVE:a, -, -",
                // the binding ends here: the registration goes, unless the row shows the client bound again
                "released, RELEASED, a, -, -, on, a/pc/true, RELEASED:a, a/pc/true, -",
                "expired, EXPIRED, a, -, -, on, a/pc/true, EXPIRED:a, a/pc/true, -",
                "declined, DECLINED, a, -, -, on, a/pc/true, DECLINED:a, a/pc/true, -",
                "reclaimed, FREE, a, -, -, on, a/pc/true, FREE:-, a/pc/true, -",
                "expired, EXPIRED, a, -, -, off, a/pc/true/0/old, EXPIRED:a, a/pc/true/0/old, -",
                "expired, EXPIRED, a, -, -, on, a/pc/true, ACTIVE:a, -, -",
                "expired, EXPIRED, a, -, -, on, a/pc/true, ACTIVE:b, a/pc/true, -",
                "released, RELEASED, a, -, -, on, -, RELEASED:a, -, -",
                // the partner's updates never register; ours go when the table no longer binds our client
                "partner-update, ACTIVE, a, -, -, on, -, ACTIVE:a, -, -",
                "partner-update, ACTIVE, a, -, -, on, a/pc/true, ACTIVE:a, -, -",
                "partner-update, ACTIVE, b, -, -, on, a/pc/true, ACTIVE:b, a/pc/true, -",
                "partner-update, RELEASED, a, -, -, on, a/pc/true, RELEASED:a, a/pc/true, -",
                "partner-update, EXPIRED, a, -, -, on, a/pc/true, ACTIVE:a, -, -",
            })
    void plans(
            String type,
            String state,
            String client,
            String name,
            Boolean forward,
            String ddns,
            String registered,
            String row,
            String remove,
            String add) {
        boolean bound = type.equals("committed") || type.equals("renewed");
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
                AT,
                bound ? AT.plusSeconds(3600) : null,
                name == null ? null : name + ".example.test.",
                forward);
        Optional<Holder> now =
                Optional.of(new Holder(row.split(":")[0], row.endsWith(":-") ? null : "hw:1:" + row.split(":")[1]));
        DnsPlan plan = DnsPlan.of(event, ddns.equals("on") ? DDNS : null, stored(registered), now);
        assertThat(Optional.ofNullable(plan.remove())).as("remove").isEqualTo(registration(remove));
        assertThat(Optional.ofNullable(plan.add())).as("add").isEqualTo(registration(add));
    }
}

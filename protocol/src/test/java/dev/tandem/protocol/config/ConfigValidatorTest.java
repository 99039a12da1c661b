package dev.tandem.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Ddns;
import dev.tandem.protocol.bus.ServerConfig.Range;
import dev.tandem.protocol.bus.ServerConfig.Reservation;
import dev.tandem.protocol.bus.ServerConfig.Scope;
import dev.tandem.protocol.net.Ipv4;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigValidatorTest {

    static Scope scope() {
        return new Scope(
                "192.0.2.0/24",
                List.of(new Range("192.0.2.10", "192.0.2.100")),
                List.of(new Range("192.0.2.50", "192.0.2.59")),
                3600,
                null,
                null,
                Map.of("routers", "192.0.2.1", "domain-search", "example.test"),
                List.of(new Reservation("02:00:5e:00:00:01", null, "192.0.2.5", "printer")));
    }

    static ServerConfig config(UnaryOperator<Scope> change) {
        return new ServerConfig(1, "dhcp-a", 3, "192.0.2.1", 30, 600, List.of(change.apply(scope())));
    }

    static Scope with(
            Scope s,
            List<Range> ranges,
            List<Range> exclusions,
            long lease,
            Long t1,
            Long t2,
            Map<String, String> options,
            List<Reservation> reservations) {
        return new Scope(s.subnet(), ranges, exclusions, lease, t1, t2, options, reservations);
    }

    @Test
    void acceptsAGoodConfigurationAndRemovesExclusionsFromThePool() {
        ServerSettings settings = ConfigValidator.validate(config(s -> s));
        ScopeConfig scope = settings.scopes().get(0);
        assertThat(scope.pool())
                .extracting(Object::toString)
                .containsExactly("192.0.2.10-192.0.2.49", "192.0.2.60-192.0.2.100");
        assertThat(scope.poolSize()).isEqualTo(81);
        assertThat(scope.renewalTime()).isEqualTo(1800);
        assertThat(scope.rebindingTime()).isEqualTo(3150);
        assertThat(scope.options()).containsKeys(3, 119);
        assertThat(scope.reservationFor(null, "02005e000001"))
                .map(r -> r.address())
                .contains(Ipv4.parse("192.0.2.5"));
        assertThat(settings.scopeFor(Ipv4.parse("192.0.2.200"))).contains(scope);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(
                        "range outside the subnet",
                        config(s -> with(
                                s,
                                List.of(new Range("192.0.3.1", "192.0.3.9")),
                                List.of(),
                                3600,
                                null,
                                null,
                                Map.of(),
                                List.of())),
                        "outside the subnet"),
                Arguments.of(
                        "range first after last",
                        config(s -> with(
                                s,
                                List.of(new Range("192.0.2.9", "192.0.2.1")),
                                List.of(),
                                3600,
                                null,
                                null,
                                Map.of(),
                                List.of())),
                        "first is after last"),
                Arguments.of(
                        "range with the broadcast address",
                        config(s -> with(
                                s,
                                List.of(new Range("192.0.2.10", "192.0.2.255")),
                                List.of(),
                                3600,
                                null,
                                null,
                                Map.of(),
                                List.of())),
                        "broadcast"),
                Arguments.of(
                        "overlapping ranges",
                        config(s -> with(
                                s,
                                List.of(new Range("192.0.2.10", "192.0.2.20"), new Range("192.0.2.15", "192.0.2.30")),
                                List.of(),
                                3600,
                                null,
                                null,
                                Map.of(),
                                List.of())),
                        "overlap"),
                Arguments.of(
                        "lease time too short",
                        config(s -> with(s, s.ranges(), List.of(), 10, null, null, Map.of(), List.of())),
                        "leaseTime 10"),
                Arguments.of(
                        "T1 after T2",
                        config(s -> with(s, s.ranges(), List.of(), 3600, 3000L, 2000L, Map.of(), List.of())),
                        "renewalTime"),
                Arguments.of(
                        "unknown option",
                        config(s -> with(
                                s, s.ranges(), List.of(), 3600, null, null, Map.of("no-such-option", "1"), List.of())),
                        "not a known option"),
                Arguments.of(
                        "option of the wrong type",
                        config(s -> with(
                                s,
                                s.ranges(),
                                List.of(),
                                3600,
                                null,
                                null,
                                Map.of("routers", "not-an-address"),
                                List.of())),
                        "routers"),
                Arguments.of(
                        "server-controlled option",
                        config(s -> with(
                                s,
                                s.ranges(),
                                List.of(),
                                3600,
                                null,
                                null,
                                Map.of("dhcp-lease-time", "60"),
                                List.of())),
                        "set by the server"),
                Arguments.of(
                        "reservation outside the subnet",
                        config(s -> with(
                                s,
                                s.ranges(),
                                List.of(),
                                3600,
                                null,
                                null,
                                Map.of(),
                                List.of(new Reservation("020000000001", null, "10.0.0.5", null)))),
                        "not a host address"),
                Arguments.of(
                        "reservation without identity",
                        config(s -> with(
                                s,
                                s.ranges(),
                                List.of(),
                                3600,
                                null,
                                null,
                                Map.of(),
                                List.of(new Reservation(null, null, "192.0.2.5", null)))),
                        "needs a hardwareAddress"),
                Arguments.of(
                        "address reserved twice",
                        config(s -> with(
                                s,
                                s.ranges(),
                                List.of(),
                                3600,
                                null,
                                null,
                                Map.of(),
                                List.of(
                                        new Reservation("020000000001", null, "192.0.2.5", null),
                                        new Reservation("020000000002", null, "192.0.2.5", null)))),
                        "reserved twice"),
                Arguments.of(
                        "overlapping scopes",
                        new ServerConfig(
                                1,
                                "dhcp-a",
                                1,
                                "192.0.2.1",
                                30,
                                600,
                                List.of(
                                        scope(),
                                        new Scope(
                                                "192.0.2.128/25",
                                                List.of(new Range("192.0.2.130", "192.0.2.140")),
                                                List.of(),
                                                3600,
                                                null,
                                                null,
                                                Map.of(),
                                                List.of()))),
                        "overlaps"),
                Arguments.of(
                        "a pool too large",
                        new ServerConfig(
                                1,
                                "dhcp-a",
                                1,
                                "192.0.2.1",
                                30,
                                600,
                                List.of(new Scope(
                                        "10.0.0.0/8",
                                        List.of(new Range("10.0.0.1", "10.255.255.254")),
                                        List.of(),
                                        3600,
                                        null,
                                        null,
                                        Map.of(),
                                        List.of()))),
                        "more than"),
                Arguments.of(
                        "bad server name",
                        new ServerConfig(1, "Bad Name", 1, "192.0.2.1", 30, 600, List.of()),
                        "server name"),
                Arguments.of(
                        "bad server identifier",
                        new ServerConfig(1, "dhcp-a", 1, "192.0.2", 30, 600, List.of()),
                        "serverIdentifier"),
                Arguments.of(
                        "ddns without a zone",
                        config(s -> withDdns(s, new Ddns(null, " ", "192.0.2.53", null, null, null, null, null, null))),
                        "ddns: needs a forwardZone, a reverseZone or both"),
                Arguments.of(
                        "ddns with a bad zone name",
                        config(s -> withDdns(
                                s, new Ddns("exa mple.test", null, "192.0.2.53", null, null, null, null, null, null))),
                        "ddns.forwardZone: 'exa mple.test' is not a DNS name"),
                Arguments.of(
                        "ddns reverse zone outside in-addr.arpa",
                        config(s -> withDdns(
                                s, new Ddns(null, "example.test", "192.0.2.53", null, null, null, null, null, null))),
                        "must be an in-addr.arpa zone"),
                Arguments.of(
                        "ddns server no address",
                        config(s -> withDdns(
                                s,
                                new Ddns(
                                        "example.test", null, "ns1.example.test", null, null, null, null, null, null))),
                        "ddns.server: 'ns1.example.test' must be an IPv4 address"),
                Arguments.of(
                        "ddns port",
                        config(s -> withDdns(
                                s, new Ddns("example.test", null, "192.0.2.53", 70000, null, null, null, null, null))),
                        "ddns.port: 70000"),
                Arguments.of(
                        "ddns negative ttl",
                        config(s -> withDdns(
                                s, new Ddns("example.test", null, "192.0.2.53", null, null, null, null, null, -1L))),
                        "ddns.ttl: -1"),
                Arguments.of(
                        "option 81 configured",
                        config(s -> with(
                                s, s.ranges(), s.exclusions(), 3600, null, null, Map.of("81", "01:ff:ff"), List.of())),
                        "81"));
    }

    static Scope withDdns(Scope s, Ddns ddns) {
        return new Scope(
                s.subnet(),
                s.ranges(),
                s.exclusions(),
                s.leaseTime(),
                s.renewalTime(),
                s.rebindingTime(),
                s.options(),
                s.reservations(),
                ddns);
    }

    @Test
    void acceptsDynamicDnsWithItsDefaults() {
        ScopeConfig scope = ConfigValidator.validate(config(s -> withDdns(
                        s,
                        new Ddns(
                                "Example.TEST",
                                "2.0.192.in-addr.arpa.",
                                "192.0.2.53",
                                null,
                                "ddns-key",
                                null,
                                null,
                                null,
                                null))))
                .scopes()
                .get(0);
        assertThat(scope.ddns())
                .isEqualTo(new ScopeConfig.DdnsConfig(
                        "example.test.",
                        "2.0.192.in-addr.arpa.",
                        Ipv4.parse("192.0.2.53"),
                        53,
                        "ddns-key.",
                        "example.test.",
                        false,
                        false,
                        1200));
        assertThat(ConfigValidator.validate(config(s -> s)).scopes().get(0).ddns())
                .isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithAReason(String name, ServerConfig config, String reason) {
        assertThatThrownBy(() -> ConfigValidator.validate(config))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(reason);
    }
}

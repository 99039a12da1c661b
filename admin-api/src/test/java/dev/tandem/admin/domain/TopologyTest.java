package dev.tandem.admin.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.config.ConfigValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologyTest {

    static final Topology.Server A = new Topology.Server("dhcp-a", "192.0.2.1", "198.51.100.1", 647, 30, 600);
    static final Topology.Server B = new Topology.Server("dhcp-b", "192.0.2.2", "198.51.100.2", 647, 30, 600);

    static Topology.Scope scope(String server, String subnet, String first, String last) {
        return new Topology.Scope(
                server,
                new ServerConfig.Scope(
                        subnet,
                        List.of(new ServerConfig.Range(first, last)),
                        null,
                        3600,
                        null,
                        null,
                        Map.of("routers", first),
                        null));
    }

    static Topology.Relationship pair(int percent, long mclt, List<String> scopes) {
        return new Topology.Relationship(
                "pair",
                "dhcp-a",
                "dhcp-b",
                "load-balance",
                percent,
                5,
                mclt,
                0,
                60,
                100,
                3,
                647,
                "s3cret-key",
                false,
                scopes);
    }

    @Test
    void aFailoverScopeOnBothPartnersIsFineAndEachGetsItsRole() {
        var t = new Topology(
                List.of(A, B),
                List.of(
                        scope("dhcp-a", "10.1.0.0/24", "10.1.0.10", "10.1.0.200"),
                        scope("dhcp-b", "10.1.0.0/24", "10.1.0.10", "10.1.0.200")),
                List.of(pair(70, 600, List.of("10.1.0.0/24"))));

        assertThat(t.problems()).isEmpty();
        Map<String, ServerConfig> docs = t.documents();
        ServerConfig.Relationship a = docs.get("dhcp-a").failover().get(0);
        ServerConfig.Relationship b = docs.get("dhcp-b").failover().get(0);
        assertThat(a.role()).isEqualTo("primary");
        assertThat(b.role()).isEqualTo("secondary");
        assertThat(a.localAddress()).isEqualTo("198.51.100.1");
        assertThat(a.peerAddress()).isEqualTo("198.51.100.2");
        assertThat(b.localAddress()).isEqualTo("198.51.100.2");
        assertThat(b.peerAddress()).isEqualTo("198.51.100.1");
        assertThat(a.loadBalancePercent()).isEqualTo(70);
        assertThat(b.loadBalancePercent()).isEqualTo(70);
        assertThat(a.scopes()).containsExactly("10.1.0.0/24");
        assertThat(a.sharedSecret()).isEqualTo("s3cret-key");
        // each document passes the validator the services run
        docs.values().forEach(ConfigValidator::validate);
    }

    @Test
    void anEmptyRelationshipIsCheckedButNotPublished() {
        var ok = new Topology(List.of(A, B), List.of(), List.of(pair(50, 600, List.of())));
        assertThat(ok.problems()).isEmpty();
        assertThat(ok.documents().get("dhcp-a").failover()).isNull();
        assertThat(ok.documents().get("dhcp-b").failover()).isNull();

        var badMclt = new Topology(List.of(A, B), List.of(), List.of(pair(50, 0, List.of())));
        assertThat(badMclt.problems()).anyMatch(p -> p.startsWith("server dhcp-a: ") && p.contains("mclt"));
        var badPercent = new Topology(List.of(A, B), List.of(), List.of(pair(101, 600, List.of())));
        assertThat(badPercent.problems()).anyMatch(p -> p.contains("percentage 101"));
    }

    @Test
    void twoServersServeOneSubnetOnlyAsPartnersHoldingIt() {
        var standaloneTwice = new Topology(
                List.of(A, B),
                List.of(
                        scope("dhcp-a", "10.1.0.0/24", "10.1.0.10", "10.1.0.200"),
                        scope("dhcp-b", "10.1.0.0/16", "10.1.5.10", "10.1.5.200")),
                List.of());
        assertThat(standaloneTwice.problems())
                .singleElement()
                .asString()
                .contains("10.1.0.0/24 on dhcp-a overlaps scope 10.1.0.0/16 on dhcp-b");

        var notAMember = new Topology(
                List.of(A, B),
                List.of(
                        scope("dhcp-a", "10.1.0.0/24", "10.1.0.10", "10.1.0.200"),
                        scope("dhcp-b", "10.1.0.0/24", "10.1.0.10", "10.1.0.200")),
                List.of(pair(50, 600, List.of())));
        assertThat(notAMember.problems()).hasSize(1);
    }

    @Test
    void aScopeProblemNamesTheServer() {
        var t = new Topology(List.of(A), List.of(scope("dhcp-a", "10.1.0.0/24", "10.2.0.10", "10.2.0.20")), List.of());
        assertThat(t.problems())
                .anyMatch(p -> p.startsWith("server dhcp-a: scope 10.1.0.0/24") && p.contains("outside the subnet"));
    }

    @Test
    void aRelationshipScopeMissingOnAServerIsRefused() {
        var t = new Topology(
                List.of(A, B),
                List.of(scope("dhcp-a", "10.1.0.0/24", "10.1.0.10", "10.1.0.200")),
                List.of(pair(50, 600, List.of("10.1.0.0/24"))));
        assertThat(t.problems())
                .anyMatch(p -> p.startsWith("server dhcp-b: ") && p.contains("not a scope of this" + " server"));
    }
}

package dev.tandem.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.bus.ServerConfig;
import dev.tandem.protocol.bus.ServerConfig.Relationship;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class RelationshipValidationTest {

    static Relationship relationship() {
        return new Relationship(
                "fo",
                "primary",
                "load-balance",
                "127.0.0.1",
                647,
                "127.0.0.2",
                647,
                60L,
                70,
                null,
                0L,
                10L,
                50,
                3,
                null,
                List.of("192.0.2.0/24"));
    }

    static Relationship with(UnaryOperator<Relationship> change) {
        return change.apply(relationship());
    }

    static ServerConfig config(Relationship... relationships) {
        ServerConfig base = ConfigValidatorTest.config(s -> s);
        return new ServerConfig(
                base.version(),
                base.server(),
                base.revision(),
                base.serverIdentifier(),
                base.offerTimeout(),
                base.declineProbation(),
                base.scopes(),
                List.of(relationships));
    }

    @Test
    void acceptsARelationshipAndFillsDefaults() {
        Relationship minimal = new Relationship(
                "fo",
                "secondary",
                null,
                "127.0.0.1",
                null,
                "127.0.0.2",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                List.of("192.0.2.0/24"));
        RelationshipConfig r =
                ConfigValidator.validate(config(minimal)).relationships().get(0);
        assertThat(r.role()).isEqualTo(RelationshipConfig.Role.SECONDARY);
        assertThat(r.mode()).isEqualTo(RelationshipConfig.Mode.LOAD_BALANCE);
        assertThat(r.port()).isEqualTo(647);
        assertThat(r.mclt()).isEqualTo(Duration.ofHours(1));
        assertThat(r.percent()).isEqualTo(50);
        assertThat(r.safePeriod()).isZero();
        assertThat(r.maxUnackedUpdates()).isEqualTo(100);
        assertThat(r.loadBalanceMaxSeconds()).isEqualTo(3);
        ServerSettings settings = ConfigValidator.validate(config(minimal));
        assertThat(settings.relationshipOf("192.0.2.0/24")).contains(r);
    }

    @Test
    void hotStandbyUsesTheReserveAndGivesAllClientsToThePrimary() {
        RelationshipConfig r = ConfigValidator.validate(config(new Relationship(
                        "hs",
                        "primary",
                        "hot-standby",
                        "127.0.0.1",
                        null,
                        "127.0.0.2",
                        null,
                        null,
                        null,
                        10,
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of("192.0.2.0/24"))))
                .relationships()
                .get(0);
        assertThat(r.percent()).isEqualTo(10);
        assertThat(r.secondaryPoolPercent()).isEqualTo(10);
        assertThat(r.hashBuckets().primaryBuckets()).isEqualTo(256);
    }

    @Test
    void poolSplitFollowsThePercentageEvenly() {
        RelationshipConfig r =
                ConfigValidator.validate(config(relationship())).relationships().get(0);
        long backup = java.util.stream.LongStream.range(0, 1000)
                .filter(r::startsAsBackup)
                .count();
        assertThat(backup).isEqualTo(300);
        assertThat(java.util.stream.LongStream.range(0, 10)
                        .filter(r::startsAsBackup)
                        .count())
                .isEqualTo(3);
    }

    @Test
    void refusesEveryImpossibleSettingWithItsReason() {
        assertThatThrownBy(() -> ConfigValidator.validate(config(with(r -> new Relationship(
                        r.name(),
                        "boss",
                        "round-robin",
                        "127.0.0.1",
                        70000,
                        "127.0.0.1",
                        70000,
                        0L,
                        150,
                        null,
                        -1L,
                        1L,
                        0,
                        -1,
                        "short",
                        List.of("198.51.100.0/24"))))))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("role: 'boss'"))
                        .anySatisfy(p -> assertThat(p).contains("mode: 'round-robin'"))
                        .anySatisfy(p -> assertThat(p).contains("port 70000"))
                        .anySatisfy(p -> assertThat(p).contains("mclt 0"))
                        .anySatisfy(p -> assertThat(p).contains("percentage 150"))
                        .anySatisfy(p -> assertThat(p).contains("safePeriod"))
                        .anySatisfy(p -> assertThat(p).contains("maxResponseDelay 1"))
                        .anySatisfy(p -> assertThat(p).contains("maxUnackedUpdates 0"))
                        .anySatisfy(p -> assertThat(p).contains("loadBalanceMaxSeconds -1"))
                        .anySatisfy(p -> assertThat(p).contains("sharedSecret"))
                        .anySatisfy(p -> assertThat(p).contains("198.51.100.0/24 is not a scope")));
    }

    @Test
    void aScopeBelongsToOneRelationshipAndNamesAreUnique() {
        Relationship other = with(r -> new Relationship(
                "other",
                r.role(),
                r.mode(),
                r.localAddress(),
                648,
                r.peerAddress(),
                648,
                r.mclt(),
                r.loadBalancePercent(),
                r.reservePercent(),
                r.safePeriod(),
                r.maxResponseDelay(),
                r.maxUnackedUpdates(),
                r.loadBalanceMaxSeconds(),
                r.sharedSecret(),
                r.scopes()));
        assertThatThrownBy(() -> ConfigValidator.validate(config(relationship(), other)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("already in relationship 'fo'")));
        assertThatThrownBy(() -> ConfigValidator.validate(config(relationship(), relationship())))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("name used twice")));
    }

    @Test
    void thePartnerCannotBeThisServerItself() {
        assertThatThrownBy(() -> ConfigValidator.validate(config(with(r -> new Relationship(
                        r.name(),
                        r.role(),
                        r.mode(),
                        "127.0.0.1",
                        647,
                        "127.0.0.1",
                        647,
                        r.mclt(),
                        r.loadBalancePercent(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        r.scopes())))))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("this server's own")));
    }
}

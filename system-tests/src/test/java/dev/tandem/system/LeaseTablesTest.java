package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.system.LeaseTables.Row;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table agreement that ends the failover system tests finds what it claims to, and nothing else. */
class LeaseTablesTest {

    static final Row ACTIVE = new Row("ACTIVE", "id:01", 1_796_600_000L);

    static java.util.List<String> compare(Map<String, Row> a, Map<String, Row> b) {
        return LeaseTables.disagreements("dhcp-a", a, "dhcp-b", b);
    }

    @Test
    void alikeTablesAgreeAndAnExpiryOneSecondApartIsTheWiresRounding() {
        Map<String, Row> a = Map.of(
                "10.0.0.1", ACTIVE, "10.0.0.2", new Row("BACKUP", "", 0), "10.0.0.3", new Row("FREE", "id:02", 0));
        Map<String, Row> b = Map.of(
                "10.0.0.1", new Row("ACTIVE", "id:01", ACTIVE.expires() - 1),
                "10.0.0.2", new Row("BACKUP", "", 0),
                "10.0.0.3", new Row("FREE", "", 0));
        assertThat(compare(a, b)).isEmpty();
    }

    @Test
    void aDisagreementOnTheOwnerOfAFreeAddressIsNamed() {
        assertThat(compare(Map.of("10.0.0.2", new Row("FREE", "", 0)), Map.of("10.0.0.2", new Row("BACKUP", "", 0))))
                .containsExactly("10.0.0.2: Row[state=FREE, client=, expires=0] on dhcp-a,"
                        + " Row[state=BACKUP, client=, expires=0] on dhcp-b");
    }

    @Test
    void anAddressBoundToAnotherClientOrUntilAnotherTimeIsNamedWithBothBindings() {
        Row other = new Row("ACTIVE", "id:02", ACTIVE.expires());
        Row later = new Row("ACTIVE", "id:01", ACTIVE.expires() + 2);
        assertThat(compare(
                        Map.of("10.0.0.1", ACTIVE, "10.0.0.4", ACTIVE), Map.of("10.0.0.1", other, "10.0.0.4", later)))
                .containsExactly(
                        "10.0.0.1: " + ACTIVE + " on dhcp-a, " + other + " on dhcp-b",
                        "10.0.0.4: " + ACTIVE + " on dhcp-a, " + later + " on dhcp-b");
    }

    @Test
    void aBindingOnOneSideOnlyOrEndedOnOneSideIsNamed() {
        Row expired = new Row("EXPIRED", "id:01", 0);
        assertThat(compare(Map.of("10.0.0.1", ACTIVE, "10.0.0.5", ACTIVE), Map.of("10.0.0.1", expired)))
                .containsExactly(
                        "10.0.0.1: " + ACTIVE + " on dhcp-a, " + expired + " on dhcp-b",
                        "10.0.0.5 only on dhcp-a: " + ACTIVE);
    }
}

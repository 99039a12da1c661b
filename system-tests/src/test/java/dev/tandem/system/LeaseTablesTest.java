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

    /** Blocks as ISC dhcpd 4.4 writes them; the file is a journal and the address's last block wins. */
    static final String ISC_LEASES =
            """
            lease 198.18.135.10 {
              starts 1 2026/12/07 07:00:00;
              ends 1 2026/12/07 07:01:00;
              tstp 1 2026/12/07 07:01:20;
              binding state active;
              next binding state expired;
              hardware ethernet 02:00:5e:81:01:01;
              uid "\\001\\002\\000^\\201\\001\\001";
            }
            lease 198.18.135.11 {
              starts 1 2026/12/07 07:00:00;
              binding state backup;
            }
            lease 198.18.135.10 {
              starts 1 2026/12/07 07:00:30;
              ends 1 2026/12/07 07:02:30;
              binding state active;
              next binding state expired;
              rewind binding state free;
              hardware ethernet 02:00:5e:81:01:02;
            }
            lease 198.18.135.12 {
              ends 1 2026/12/07 06:50:00;
              binding state free;
              hardware ethernet 02:00:5e:81:01:03;
            }
            lease 198.18.135.14 {
              ends 1 2026/12/07 08:00:00;
              binding state abandoned;
            }
            """;

    @Test
    void iscsLeaseFileIsReadAsRowsTheLastBlockOfAnAddressWinning() {
        long end = java.time.Instant.parse("2026-12-07T07:02:30Z").getEpochSecond();
        assertThat(LeaseTables.isc(ISC_LEASES))
                .containsExactly(
                        Map.entry("198.18.135.10", new Row("ACTIVE", "02:00:5e:81:01:02", end)),
                        Map.entry("198.18.135.11", new Row("BACKUP", "", 0)),
                        Map.entry("198.18.135.12", new Row("FREE", "02:00:5e:81:01:03", end - 750)),
                        Map.entry("198.18.135.14", new Row("DECLINED", "", end + 3450)));
    }

    @Test
    void tandemsTableAndIscsLeaseFileDisagreeOnAClientAnOwnerAndAnAddressIscLacks() {
        Map<String, Row> isc = LeaseTables.isc(ISC_LEASES);
        long end = isc.get("198.18.135.10").expires();
        Map<String, Row> tandem = Map.of(
                "198.18.135.10", new Row("ACTIVE", "02:00:5e:81:01:01", end),
                "198.18.135.11", new Row("FREE", "", 0),
                "198.18.135.12", new Row("FREE", "", 0),
                "198.18.135.13", new Row("BACKUP", "", 0),
                "198.18.135.14",
                        new Row("DECLINED", "", isc.get("198.18.135.14").expires()));
        assertThat(LeaseTables.disagreements("Tandem", tandem, "ISC", isc))
                .containsExactly(
                        "198.18.135.10: " + tandem.get("198.18.135.10") + " on Tandem, " + isc.get("198.18.135.10")
                                + " on ISC",
                        "198.18.135.11: " + tandem.get("198.18.135.11") + " on Tandem, " + isc.get("198.18.135.11")
                                + " on ISC",
                        "198.18.135.13 only on Tandem: " + tandem.get("198.18.135.13"));
    }

    @Test
    void aHardwareAddressReadsInIscsNotation() {
        assertThat(LeaseTables.mac("02005e810101")).isEqualTo("02:00:5e:81:01:01");
        assertThat(LeaseTables.mac(null)).isEmpty();
    }
}

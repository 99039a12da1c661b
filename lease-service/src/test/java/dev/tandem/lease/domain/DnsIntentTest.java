package dev.tandem.lease.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.protocol.bus.LeaseRequest;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ScopeConfig.DdnsConfig;
import dev.tandem.protocol.config.ScopeConfig.ReservationConfig;
import dev.tandem.protocol.net.Ipv4;
import dev.tandem.protocol.net.Subnet;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 4702's flags against the scope's policy, and where the name comes from. */
class DnsIntentTest {

    static final String PRINTER_MAC = "02005e0000ff";

    static ScopeConfig scope(boolean overrideClientUpdate, boolean overrideNoUpdate) {
        DdnsConfig ddns = new DdnsConfig(
                "example.test.",
                "2.0.192.in-addr.arpa.",
                Ipv4.parse("127.0.0.1"),
                53,
                "tandem.",
                "example.test.",
                overrideClientUpdate,
                overrideNoUpdate,
                1200);
        return new ScopeConfig(
                Subnet.parse("192.0.2.0/24"),
                List.of(),
                3600,
                1800,
                3150,
                Map.of(),
                List.of(new ReservationConfig(PRINTER_MAC, null, Ipv4.parse("192.0.2.5"), "printer")),
                ddns);
    }

    static LeaseRequest request(String mac, String hostname, String clientFqdn) {
        return new LeaseRequest(
                LeaseRequest.VERSION,
                "dhcp-a",
                "192.0.2.0/24",
                "REQUEST",
                "hw:1:" + mac,
                1,
                mac,
                null,
                1,
                "0.0.0.0",
                "192.0.2.1",
                null,
                null,
                null,
                hostname,
                null,
                null,
                true,
                Instant.now(),
                clientFqdn);
    }

    /** Option 81 with an ASCII name: flags, two rcodes, the name. */
    static String ascii(int flags, String name) {
        return String.format("%02x0000", flags) + HexFormat.of().formatHex(name.getBytes(StandardCharsets.US_ASCII));
    }

    @ParameterizedTest(
            name = "[{index}] option 81 {0} {1}, host name {2}, overrides {3}/{4} -> {5} A={6} PTR={7} S/O/N={8}")
    @CsvSource(
            nullValues = "-",
            value = {
                // no option 81: the host name, both records, no answer
                "-, -, laptop, false, false, laptop.example.test., true, true, -",
                "-, -, My_Laptop.local, false, false, mylaptop.local.example.test., true, true, -",
                "-, -, CORP.example.test., false, false, corp.example.test., true, true, -",
                "-, -, -, false, false, -, false, false, -",
                "-, -, ---, false, false, -, false, false, -",
                // S=1: the server updates both
                "1, phone, -, false, false, phone.example.test., true, true, 1",
                // S=0: the client updates A, the server the PTR
                "0, phone, -, false, false, phone.example.test., false, true, 0",
                "0, phone, -, true, false, phone.example.test., true, true, 3",
                // N=1: no updates, unless the scope overrides that
                "8, phone, -, false, false, phone.example.test., false, false, 8",
                "8, phone, -, false, true, phone.example.test., true, true, 3",
                // a name outside the forward zone: nothing, and the client is told so
                "1, phone.other.org., -, false, false, phone.other.org., false, false, 8",
                "0, phone.other.org., -, false, false, phone.other.org., false, false, 8",
                // option 81 without a name: the host name
                "1, '', laptop, false, false, laptop.example.test., true, true, 1",
                // option 81's name before the host name
                "1, phone, laptop, false, false, phone.example.test., true, true, 1",
            })
    void decides(
            Integer flags,
            String optionName,
            String hostname,
            boolean overrideClient,
            boolean overrideNo,
            String fqdn,
            boolean forward,
            boolean reverse,
            Integer answerFlags) {
        String option = flags == null ? null : ascii(flags, optionName);
        Optional<DnsIntent> intent =
                DnsIntent.of(scope(overrideClient, overrideNo), request("020000000001", hostname, option));
        if (fqdn == null) {
            assertThat(intent).isEmpty();
            return;
        }
        assertThat(intent).isPresent();
        assertThat(intent.get().fqdn()).isEqualTo(fqdn);
        assertThat(intent.get().forward()).as("A").isEqualTo(forward);
        assertThat(intent.get().reverse()).as("PTR").isEqualTo(reverse);
        if (answerFlags == null) {
            assertThat(intent.get().answer()).isNull();
        } else {
            assertThat(HexFormat.of().formatHex(intent.get().answer()))
                    .isEqualTo(String.format("%02xffff", answerFlags)
                            + HexFormat.of().formatHex(fqdn.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void aNameInWireFormatIsAnsweredInWireFormat() {
        // E=1, S=1, the partial name "phone" without its terminating root label
        Optional<DnsIntent> partial =
                DnsIntent.of(scope(false, false), request("020000000001", null, "050000" + "0570686f6e65"));
        // E=1, S=1, phone.example.test. fully qualified
        Optional<DnsIntent> full = DnsIntent.of(
                scope(false, false),
                request("020000000001", null, "050000" + "0570686f6e65" + "076578616d706c65" + "0474657374" + "00"));
        for (Optional<DnsIntent> intent : List.of(partial, full)) {
            assertThat(intent.orElseThrow().fqdn()).isEqualTo("phone.example.test.");
            assertThat(HexFormat.of().formatHex(intent.get().answer()))
                    .isEqualTo("05ffff" + "0570686f6e65" + "076578616d706c65" + "0474657374" + "00");
        }
    }

    @Test
    void aScopeWithAReverseZoneOnlyUpdatesThePtrAndSaysItOverrodeS() {
        ScopeConfig full = scope(false, false);
        DdnsConfig d = full.ddns();
        ScopeConfig reverseOnly = new ScopeConfig(
                full.subnet(),
                full.pool(),
                full.leaseTime(),
                full.renewalTime(),
                full.rebindingTime(),
                full.options(),
                full.reservations(),
                new DdnsConfig(
                        null,
                        d.reverseZone(),
                        d.server(),
                        d.port(),
                        d.key(),
                        d.qualifyingSuffix(),
                        false,
                        false,
                        d.ttl()));
        DnsIntent intent = DnsIntent.of(reverseOnly, request("020000000001", null, ascii(1, "phone")))
                .orElseThrow();
        assertThat(intent.forward()).isFalse();
        assertThat(intent.reverse()).isTrue();
        assertThat(intent.answer()[0]).isEqualTo((byte) 0x02);
    }

    @Test
    void aLabelLongerThanAllowedGivesNoName() {
        assertThat(DnsIntent.of(scope(false, false), request("020000000001", "a".repeat(64), null)))
                .isEmpty();
    }

    @Test
    void aReservationsHostNameComesFirst() {
        assertThat(DnsIntent.of(scope(false, false), request(PRINTER_MAC, "laptop", ascii(1, "phone")))
                        .orElseThrow()
                        .fqdn())
                .isEqualTo("printer.example.test.");
    }

    @Test
    void aScopeWithoutDynamicDnsDecidesNothing() {
        ScopeConfig plain =
                new ScopeConfig(Subnet.parse("192.0.2.0/24"), List.of(), 3600, 1800, 3150, Map.of(), List.of());
        assertThat(DnsIntent.of(plain, request("020000000001", "laptop", ascii(1, "phone"))))
                .isEmpty();
    }

    @Test
    void aTruncatedWireNameGivesNoNameFromTheOption() {
        // a label of 9 announced, 5 sent: the host name is used instead
        assertThat(DnsIntent.of(scope(false, false), request("020000000001", "laptop", "050000" + "0970686f6e65"))
                        .orElseThrow()
                        .fqdn())
                .isEqualTo("laptop.example.test.");
    }
}

package dev.tandem.protocol.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionTypeTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "IPV4|192.0.2.1|c0000201",
                "IPV4_LIST|192.0.2.1, 192.0.2.2|c0000201c0000202",
                "U8|7|07",
                "U16|1500|05dc",
                "U32|3600|00000e10",
                "I32|-3600|fffff1f0",
                "BOOL|true|01",
                "STRING|example.net|6578616d706c652e6e6574",
                "BYTES|01:02:0a|01020a",
                "U8_LIST|1, 3, 6|010306",
                "DOMAIN_LIST|a.example, b.test|0161076578616d706c6500016204746573740",
                "CLASSLESS_ROUTES|10.0.0.0/8 192.0.2.1, 0.0.0.0/0 192.0.2.254|080ac0000201" + "00c00002fe",
            })
    void parsesTextToWireAndFormatsItBack(OptionType type, String text, String hex) {
        String expectedHex = hex.length() % 2 == 0 ? hex : hex + "0";
        byte[] wire = type.parse(text);
        assertThat(java.util.HexFormat.of().formatHex(wire)).isEqualTo(expectedHex);
        type.validate(wire);
        assertThat(type.format(wire)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "IPV4|192.0.2",
                "IPV4|192.0.2.256",
                "IPV4_LIST|192.0.2.1, nonsense",
                "U8|256",
                "U16|-1",
                "U32|4294967296",
                "BOOL|maybe",
                "BYTES|0g",
                "BYTES|123",
                "CLASSLESS_ROUTES|10.0.0.1/8 192.0.2.1",
                "CLASSLESS_ROUTES|10.0.0.0/8",
                "DOMAIN_LIST|a..b",
            })
    void refusesTextThatIsNotAValue(OptionType type, String text) {
        assertThatThrownBy(() -> type.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsCompressedDomainSearchLists() {
        // RFC 3397 §3 example: eng.apple.com, marketing.apple.com with a pointer to "apple.com"
        byte[] wire = {
            3,
            'e',
            'n',
            'g',
            5,
            'a',
            'p',
            'p',
            'l',
            'e',
            3,
            'c',
            'o',
            'm',
            0,
            9,
            'm',
            'a',
            'r',
            'k',
            'e',
            't',
            'i',
            'n',
            'g',
            (byte) 0xc0,
            4
        };
        assertThat(OptionType.DOMAIN_LIST.format(wire)).isEqualTo("eng.apple.com, marketing.apple.com");
    }

    @Test
    void rejectsACompressionLoop() {
        byte[] wire = {(byte) 0xc0, 0};
        assertThatThrownBy(() -> OptionType.DOMAIN_LIST.validate(wire)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsInvalidBytesAsHexInsteadOfThrowing() {
        assertThat(OptionType.IPV4.format(new byte[] {1, 2})).isEqualTo("01:02");
    }

    @Test
    void registryFindsOptionsByNameAndNumber() {
        assertThat(DhcpOption.byName("routers")).contains(DhcpOption.ROUTERS);
        assertThat(DhcpOption.byName("3")).contains(DhcpOption.ROUTERS);
        assertThat(DhcpOption.byName("no-such-option")).isEmpty();
        assertThat(DhcpOption.byCode(121)).contains(DhcpOption.CLASSLESS_STATIC_ROUTE);
    }
}

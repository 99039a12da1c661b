package dev.tandem.lease.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 4701 §3.6's three examples, each of one identifier type. */
class DhcidTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        // type 0: htype 1 and chaddr 01:02:03:04:05:06
        "hw:1:010203040506, client.example.com., AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY=",
        // type 1: client identifier option 01:07:08:09:0a:0b:0c
        "id:010708090a0b0c, chi.example.com., AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No=",
        // type 2: an RFC 4361 client identifier (0xff, IAID 0, then the DUID of the RFC's example)
        "id:ff0000000000010006412df166010203040506, chi6.example.com., AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="
    })
    void theRfcExamples(String clientKey, String fqdn, String expected) {
        assertThat(Base64.getEncoder().encodeToString(Dhcid.of(clientKey, fqdn)))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"CLIENT.Example.COM.", "client.example.com"})
    void theNameIsCanonical(String fqdn) {
        assertThat(Dhcid.of("hw:1:010203040506", fqdn)).isEqualTo(Dhcid.of("hw:1:010203040506", "client.example.com."));
    }

    @ParameterizedTest
    @CsvSource({"hw:1:010203040506, other.example.com.", "hw:1:010203040507, client.example.com."})
    void anotherClientOrNameGivesAnotherValue(String clientKey, String fqdn) {
        assertThat(Dhcid.of(clientKey, fqdn)).isNotEqualTo(Dhcid.of("hw:1:010203040506", "client.example.com."));
    }

    @org.junit.jupiter.api.Test
    void aKeyOfNoKindIsRefused() {
        assertThatThrownBy(() -> Dhcid.of("mac:0102", "a.example.com.")).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.tandem.lease.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 2131 table 4: which fields tell the client's state. Every combination of the four flags for REQUEST. */
class RequestKindTest {

    @ParameterizedTest(name = "{0} serverId={1} requested={2} ciaddr={3} broadcast={4} -> {5}")
    @CsvSource({
        "REQUEST,  true,  true,  false, true,  SELECTING",
        "REQUEST,  true,  true,  false, false, SELECTING",
        "REQUEST,  true,  true,  true,  true,  INVALID",
        "REQUEST,  true,  true,  true,  false, INVALID",
        "REQUEST,  true,  false, false, true,  INVALID",
        "REQUEST,  true,  false, false, false, INVALID",
        "REQUEST,  true,  false, true,  true,  INVALID",
        "REQUEST,  true,  false, true,  false, INVALID",
        "REQUEST,  false, true,  false, true,  INIT_REBOOT",
        "REQUEST,  false, true,  false, false, INIT_REBOOT",
        "REQUEST,  false, true,  true,  true,  INVALID",
        "REQUEST,  false, true,  true,  false, INVALID",
        "REQUEST,  false, false, true,  true,  REBINDING",
        "REQUEST,  false, false, true,  false, RENEWING",
        "REQUEST,  false, false, false, true,  INVALID",
        "REQUEST,  false, false, false, false, INVALID",
        "DISCOVER, false, true,  false, true,  DISCOVER",
        "DECLINE,  true,  true,  false, true,  DECLINE",
        "RELEASE,  true,  false, true,  false, RELEASE",
        "INFORM,   false, false, true,  false, INFORM",
        "OFFER,    false, false, false, false, INVALID",
    })
    void classifies(
            String type, boolean serverId, boolean requested, boolean ciaddr, boolean broadcast, RequestKind kind) {
        assertThat(RequestKind.classify(type, serverId, requested, ciaddr, broadcast))
                .isEqualTo(kind);
    }
}

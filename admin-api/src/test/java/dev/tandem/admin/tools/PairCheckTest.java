package dev.tandem.admin.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the chart's helm test calls a healthy pair, from a coordinator's answer. */
class PairCheckTest {

    static String relationship(String state, boolean communicating, String cannotServe) {
        return """
                {"server":"dhcp-a","relationship":"pair","state":"%s","partnerState":"NORMAL","communicating":%s,%s
                 "pendingUpdates":0,"waitingFor":null}"""
                .formatted(state, communicating, cannotServe == null ? "" : "\"cannotServe\":\"" + cannotServe + "\",");
    }

    @Test
    void normalTalkingAndServingIsFine() {
        List<String> fine = new ArrayList<>();
        assertThat(PairCheck.problems("http://a", 200, "[" + relationship("NORMAL", true, null) + "]", fine))
                .isEmpty();
        assertThat(fine).containsExactly("dhcp-a in pair: NORMAL, partner NORMAL, serving");
    }

    @Test
    void everythingElseSaysWhat() {
        List<String> fine = new ArrayList<>();
        assertThat(PairCheck.problems(
                        "http://a",
                        200,
                        "[" + relationship("COMMUNICATIONS-INTERRUPTED", false, "no lease-service") + "]",
                        fine))
                .containsExactly("dhcp-a in pair: state COMMUNICATIONS-INTERRUPTED; not talking to the partner;"
                        + " cannot serve: no lease-service");
        assertThat(PairCheck.problems("http://a", 200, "[]", fine))
                .containsExactly("http://a: in no failover relationship");
        assertThat(PairCheck.problems("http://a", 401, "{}", fine)).containsExactly("http://a: answered 401 {}");
        assertThat(PairCheck.problems("http://a", 200, "<html>", fine).get(0)).startsWith("http://a: not a list");
        assertThat(fine).isEmpty();
    }
}

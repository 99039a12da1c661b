package dev.tandem.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Who may call the coordinator's HTTP API: every combination of method, credential, configuration and read policy. */
class CommandGuardTest {

    private static final Optional<byte[]> TOKEN = Optional.of("s3cret".getBytes(StandardCharsets.UTF_8));

    @ParameterizedTest(name = "{0} with {1}, credential configured {2}, open reads {3}: {4}")
    @CsvSource(
            nullValues = "none",
            value = {
                // reads, open
                "GET,     none,          true,  true,  allowed",
                "HEAD,    none,          true,  true,  allowed",
                "GET,     none,          false, true,  allowed",
                // reads, closed: like a command
                "GET,     none,          true,  false, missing-credential",
                "GET,     Bearer wrong,  true,  false, wrong-credential",
                "GET,     Bearer s3cret, true,  false, allowed",
                "GET,     Bearer s3cret, false, false, commands-disabled",
                // commands
                "POST,    none,          true,  true,  missing-credential",
                "POST,    Basic s3cret,  true,  true,  missing-credential",
                "POST,    Bearer wrong,  true,  true,  wrong-credential",
                "POST,    Bearer s3cre,  true,  true,  wrong-credential",
                "POST,    Bearer s3cret, true,  true,  allowed",
                "DELETE,  Bearer s3cret, true,  true,  allowed",
                "DELETE,  none,          true,  true,  missing-credential",
                "POST,    Bearer s3cret, false, true,  commands-disabled",
                "PUT,     none,          false, true,  commands-disabled"
            })
    void refusesWhatNeedsACredentialItWasNotGiven(
            String method, String authorization, boolean configured, boolean openReads, String expected) {
        Optional<String> refusal =
                CommandGuard.refusal(method, authorization, configured ? TOKEN : Optional.empty(), openReads);
        assertThat(refusal.orElse("allowed")).isEqualTo(expected);
    }
}

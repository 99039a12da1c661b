package dev.tandem.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Relationship secrets sealed at rest and on the configuration topic. */
class SecretBoxTest {

    static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    @Test
    void secretsOpenOnlyWithTheirKey() {
        SecretBox box = new SecretBox("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        String sealed = box.seal("failover-secret");
        assertThat(sealed).startsWith("v1:").doesNotContain("failover-secret");
        assertThat(box.seal("failover-secret")).isNotEqualTo(sealed); // fresh nonce
        assertThat(box.open(sealed)).isEqualTo("failover-secret");

        SecretBox other = new SecretBox("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=");
        assertThatThrownBy(() -> other.open(sealed)).hasMessageContaining("does not open");
        String tampered = sealed.substring(0, sealed.length() - 3) + (sealed.endsWith("AAA") ? "BBB" : "AAA");
        assertThatThrownBy(() -> box.open(tampered)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SecretBox("c2hvcnQ=")).hasMessageContaining("32 bytes");
    }

    @Test
    void onlyASealedValueCountsAsSealed() {
        assertThat(SecretBox.isSealed(new SecretBox(KEY).seal("x"))).isTrue();
        assertThat(SecretBox.isSealed("system-test-secret")).isFalse();
        assertThat(SecretBox.isSealed(null)).isFalse();
    }

    @Test
    void theCommandLineSealsWhatItReads() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SecretBox.seal(
                KEY,
                new ByteArrayInputStream("from-a-file\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String sealed = out.toString(StandardCharsets.UTF_8).trim();
        assertThat(new SecretBox(KEY).open(sealed)).isEqualTo("from-a-file");
    }
}

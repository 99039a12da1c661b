package dev.tandem.admin.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PasswordHashesTest {

    @Test
    void aHashMatchesItsPasswordOnly() {
        String hash = PasswordHashes.hash("correct horse".toCharArray(), 1000);
        assertThat(PasswordHashes.wellFormed(hash)).isTrue();
        assertThat(PasswordHashes.matches("correct horse".toCharArray(), hash)).isTrue();
        assertThat(PasswordHashes.matches("correct horsE".toCharArray(), hash)).isFalse();
        assertThat(PasswordHashes.matches("".toCharArray(), hash)).isFalse();
        // a fresh salt every time
        assertThat(PasswordHashes.hash("correct horse".toCharArray(), 1000)).isNotEqualTo(hash);
    }

    @Test
    void otherFormsNeverMatch() {
        assertThat(PasswordHashes.matches("x".toCharArray(), "x")).isFalse();
        assertThat(PasswordHashes.matches("x".toCharArray(), "md5$1$a$b")).isFalse();
        assertThat(PasswordHashes.matches("x".toCharArray(), "pbkdf2-sha256$0$YQ$YQ"))
                .isFalse();
        assertThat(PasswordHashes.matches("x".toCharArray(), "pbkdf2-sha256$10$!!$YQ"))
                .isFalse();
    }

    @Test
    void userEntriesAreCheckedAtStart() {
        String hash = PasswordHashes.hash("pw".toCharArray(), 1000);
        var users = Users.parse(List.of("alice:admin:" + hash, "bob:reader:" + hash));
        assertThat(users.get("alice").roles()).containsExactlyInAnyOrder("admin", "reader");
        assertThat(users.get("bob").roles()).containsExactly("reader");

        assertThatThrownBy(() -> Users.parse(List.of("carol:root:" + hash))).hasMessageContaining("admin or reader");
        assertThatThrownBy(() -> Users.parse(List.of("dave:admin:secret"))).hasMessageContaining("pbkdf2-sha256");
        assertThatThrownBy(() -> Users.parse(List.of("erin"))).hasMessageContaining("name:role:hash");
        assertThatThrownBy(() -> Users.parse(List.of("bob:reader:" + hash, "bob:admin:" + hash)))
                .hasMessageContaining("twice");
    }

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
}

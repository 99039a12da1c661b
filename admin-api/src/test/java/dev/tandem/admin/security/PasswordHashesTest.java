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

    /**
     * RFC 7914 §11's PBKDF2-HMAC-SHA256 vectors (password, salt, iterations, 64-octet key), written in this class's
     * form: a hash made elsewhere checks here.
     */
    @Test
    void publishedPbkdf2VectorsMatch() {
        String first = vector(
                "salt",
                1,
                "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                        + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
        assertThat(PasswordHashes.matches("passwd".toCharArray(), first)).isTrue();
        assertThat(PasswordHashes.matches("passwD".toCharArray(), first)).isFalse();
        String second = vector(
                "NaCl",
                80000,
                "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                        + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
        assertThat(PasswordHashes.matches("Password".toCharArray(), second)).isTrue();
        assertThat(PasswordHashes.matches("Password".toCharArray(), second.replace("$80000$", "$79999$")))
                .isFalse();
    }

    static String vector(String salt, int iterations, String keyHex) {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder().withoutPadding();
        return "pbkdf2-sha256$" + iterations + "$"
                + b64.encodeToString(salt.getBytes(java.nio.charset.StandardCharsets.US_ASCII)) + "$"
                + b64.encodeToString(java.util.HexFormat.of().parseHex(keyHex));
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
}

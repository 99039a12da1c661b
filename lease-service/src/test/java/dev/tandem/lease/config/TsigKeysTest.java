package dev.tandem.lease.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Key files in BIND's syntax, as tsig-keygen writes them. */
class TsigKeysTest {

    static final String SECRET = "Zm9vYmFyYmF6Zm9vYmFyYmF6Zm9vYmFyYmF6Zm9vYmE=";

    @Test
    void readsTsigKeygensOutputAndSeveralKeys() {
        TsigKeys keys = TsigKeys.parse(
                """
                # made by tsig-keygen -a hmac-sha256 tandem-ddns
                key "tandem-ddns" {
                	algorithm hmac-sha256;
                	secret "%s";
                };
                // a second one, without quotes round the name
                key other.example. { algorithm HMAC-SHA512; secret "%s"; };
                """
                        .formatted(SECRET, SECRET),
                "test");
        assertThat(keys.size()).isEqualTo(2);
        assertThat(keys.get("TANDEM-DDNS.")).contains(new TsigKeys.Key("tandem-ddns.", "hmac-sha256", SECRET));
        assertThat(keys.get("other.example")).map(TsigKeys.Key::algorithm).contains("hmac-sha512");
        assertThat(keys.get("missing")).isEmpty();
        assertThat(keys.get("tandem-ddns").orElseThrow().toString()).doesNotContain(SECRET);
    }

    @Test
    void aSecretWithSlashesAndStatementsInEitherOrderAreRead() {
        String secret = "AAAP/wAAD/8AAA//AAAP/wAAD/8AAA//AAAP/wAAD/8="; // "//" inside, as tsig-keygen may write
        TsigKeys keys = TsigKeys.parse(
                "/* two keys */ key a { secret \"" + secret + "\"; algorithm hmac-sha256; }; // done\n"
                        + "key \"b\" { algorithm hmac-sha384; secret \"" + secret + "\"; }; # also done",
                "test");
        assertThat(keys.get("a")).map(TsigKeys.Key::secret).contains(secret);
        assertThat(keys.get("b")).map(TsigKeys.Key::algorithm).contains("hmac-sha384");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a stray word | key \"k\" { algorithm hmac-sha256; secret \"" + SECRET
                        + "\"; }; oops | not a key statement: 'oops'",
                "an unknown algorithm | key \"k\" { algorithm hmac-md4; secret \"" + SECRET
                        + "\"; }; | has algorithm hmac-md4",
                "a key twice | key k { algorithm hmac-sha256; secret \"" + SECRET
                        + "\"; }; key K. { algorithm hmac-sha256; secret \"" + SECRET + "\"; }; | key k. twice",
                "a secret not base64 | key k { algorithm hmac-sha256; secret \"a\"; }; | not base64",
                "no semicolon | key k { algorithm hmac-sha256 secret \"" + SECRET
                        + "\"; }; | not one algorithm and one secret",
                "no secret | key k { algorithm hmac-sha256; }; | needs 'algorithm ...;' and 'secret",
            })
    void refusesAFileWithTheReason(String name, String text, String reason) {
        assertThatThrownBy(() -> TsigKeys.parse(text, "keys.conf"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TSIG key file keys.conf")
                .hasMessageContaining(reason);
    }
}

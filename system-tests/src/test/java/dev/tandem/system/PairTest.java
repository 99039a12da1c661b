package dev.tandem.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.CsvSource;

/** The system tests' own RFC 3074 hash, which names the server that should answer a client, gives the known answers. */
class PairTest {

    @ParameterizedTest
    @CsvFileSource(files = "../protocol/src/test/resources/rfc3074-vectors.csv")
    void theRfc3074HashOfTheRfcsTableGivesTheKnownAnswers(String keyHex, int bucket) {
        assertThat(Pair.rfc3074(HexFormat.of().parseHex(keyHex))).isEqualTo(bucket);
    }

    @ParameterizedTest
    @CsvSource({"00:11:22:33:44:55, 223, false", "aa:bb:cc:dd:ee:ff, 102, true"})
    void aUdhcpcClientIsHashedByItsClientIdentifierAndSplitAt128(String mac, int bucket, boolean primary) {
        assertThat(Pair.bucket(mac)).isEqualTo(bucket);
        assertThat(Pair.primaryBucket(mac)).isEqualTo(primary);
        assertThat(Pair.rfc3074("foo".getBytes(StandardCharsets.US_ASCII))).isEqualTo(49);
    }
}

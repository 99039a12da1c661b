package dev.tandem.protocol.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

class LoadBalanceTest {

    /** Known answers computed with RFC 3074 §6's table (listed in docs/testing.md, "Known answers"). */
    @ParameterizedTest
    @CsvFileSource(resources = "/rfc3074-vectors.csv")
    void rfc3074Vectors(String keyHex, int bucket) {
        assertThat(LoadBalance.bucket(HexFormat.of().parseHex(keyHex))).isEqualTo(bucket);
    }

    @Test
    void asciiKey() {
        assertThat(LoadBalance.bucket("foo".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(49);
    }

    @Test
    void splitGivesTheLowBucketsToThePrimaryLsbFirst() {
        LoadBalance.Buckets half = LoadBalance.Buckets.split(128);
        assertThat(half.hex()).isEqualTo("ff".repeat(16) + "00".repeat(16));
        assertThat(half.primaryServes(57)).isTrue();
        assertThat(half.primaryServes(135)).isFalse();
        LoadBalance.Buckets one = LoadBalance.Buckets.split(1);
        assertThat(one.hex()).startsWith("01");
        assertThat(one.primaryServes(0)).isTrue();
        assertThat(one.primaryServes(1)).isFalse();
        assertThat(LoadBalance.Buckets.split(0).primaryBuckets()).isZero();
        assertThat(LoadBalance.Buckets.split(256).primaryBuckets()).isEqualTo(256);
    }

    @Test
    void percentagesRoundToBuckets() {
        assertThat(LoadBalance.Buckets.primaryPercent(50)).isEqualTo(LoadBalance.Buckets.split(128));
        assertThat(LoadBalance.Buckets.primaryPercent(100).primaryBuckets()).isEqualTo(256);
        assertThat(LoadBalance.Buckets.primaryPercent(0).primaryBuckets()).isZero();
        assertThat(LoadBalance.Buckets.primaryPercent(70).primaryBuckets()).isEqualTo(179);
    }

    @Test
    void byteSwappedSecsAreSwappedBack() {
        assertThat(LoadBalance.effectiveSecs(0x0500)).isEqualTo(5);
        assertThat(LoadBalance.effectiveSecs(0x0501)).isEqualTo(0x0501);
        assertThat(LoadBalance.effectiveSecs(200)).isEqualTo(200);
        assertThat(LoadBalance.effectiveSecs(256)).isEqualTo(1);
    }
}

package dev.tandem.protocol.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class MessageAuthenticatorTest {

    private final MessageAuthenticator auth = new MessageAuthenticator("s3cret");
    private final FailoverMessage state =
            FailoverMessages.state(1000, FailoverState.NORMAL, false, 900).withXid(7);

    @Test
    void signedMessageVerifiesAndDecodesToTheOriginal() {
        byte[] wire = auth.sign(state);
        assertThat(auth.verify(wire)).isEqualTo(MessageAuthenticator.Verdict.VALID);
        FailoverMessage decoded = FailoverCodec.decode(wire);
        assertThat(decoded.options().get(0).code()).isEqualTo(FailoverOption.MESSAGE_DIGEST.code());
        assertThat(MessageAuthenticator.withoutDigest(decoded)).isEqualTo(state);
    }

    @Test
    void anyChangedOctetFailsTheCheck() {
        byte[] wire = auth.sign(state);
        for (int i = 0; i < wire.length; i++) {
            if (i >= 12 && i < 17) {
                continue; // the digest option's own header: a change there reads as missing or malformed
            }
            byte[] tampered = wire.clone();
            tampered[i] ^= 0x01;
            assertThat(auth.verify(tampered)).as("octet %d", i).isNotEqualTo(MessageAuthenticator.Verdict.VALID);
        }
    }

    @Test
    void wrongSecretAndMissingDigestAreTold() {
        assertThat(new MessageAuthenticator("other").verify(auth.sign(state)))
                .isEqualTo(MessageAuthenticator.Verdict.MISMATCH);
        assertThat(auth.verify(FailoverCodec.encode(state))).isEqualTo(MessageAuthenticator.Verdict.MISSING);
    }

    /** RFC 4231 §4.2 and §4.3 (test cases 1 and 2): HMAC-SHA256 known answers. */
    @Test
    void theMacIsHmacSha256ByRfc4231() {
        assertThat(new MessageAuthenticator("\u000b".repeat(20)).mac("Hi There".getBytes(StandardCharsets.US_ASCII)))
                .asHexString()
                .isEqualToIgnoringCase("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        assertThat(new MessageAuthenticator("Jefe")
                        .mac("what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)))
                .asHexString()
                .isEqualToIgnoringCase("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    /**
     * A signed STATE message octet for octet: the header (length 67, type 10, payload offset 12, time 1000, xid 7), the
     * message-digest option first (code 17, length 33, algorithm 2, then the HMAC-SHA256 with secret "s3cret" over the
     * whole message with those 32 octets zeroed, computed apart from this code with Python's hmac module), then
     * server-state NORMAL, server-flags 0 and start-time-of-state 900.
     */
    @Test
    void aSignedMessageIsKnownOctetForOctet() {
        String expected = "00430a0c000003e800000007"
                + "0011002102a7fa4707a404578ad2a6211ec7c43d895575d7bb7320f74c3b36d9e4a6a278bc"
                + "00180001020017000100" + "0019000400000384";
        assertThat(HexFormat.of().formatHex(auth.sign(state))).isEqualTo(expected);
        assertThat(auth.verify(HexFormat.of().parseHex(expected))).isEqualTo(MessageAuthenticator.Verdict.VALID);
    }
}

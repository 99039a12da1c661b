package dev.tandem.protocol.failover;

import static org.assertj.core.api.Assertions.assertThat;

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
}

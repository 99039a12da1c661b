package dev.tandem.protocol.failover;

import dev.tandem.protocol.failover.FailoverMessage.Option;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message authentication with a relationship's shared secret (draft-ietf-dhc-failover-12 §11.1, with HMAC-SHA256 in
 * place of the draft's HMAC-MD5). The message-digest option comes first; its data is the algorithm octet
 * {@value #HMAC_SHA256} and the 32-octet HMAC over the whole encoded message with the digest octets zeroed. ISC dhcpd
 * skips this option everywhere, so signing never breaks an ISC peer; verifying its messages is impossible.
 */
public final class MessageAuthenticator {

    public static final int HMAC_SHA256 = 2;
    private static final int MAC_LENGTH = 32;
    /** Where the digest starts: header, option code and length, algorithm octet. */
    private static final int MAC_OFFSET = FailoverCodec.HEADER_LENGTH + 4 + 1;

    /** What a check found. */
    public enum Verdict {
        VALID,
        MISSING,
        MISMATCH
    }

    private final SecretKeySpec key;

    public MessageAuthenticator(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a shared secret must not be empty");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The message's wire bytes with the digest option first. */
    public byte[] sign(FailoverMessage message) {
        List<Option> options = new ArrayList<>();
        options.add(new Option(FailoverOption.MESSAGE_DIGEST.code(), placeholder()));
        for (Option o : message.options()) {
            if (o.code() != FailoverOption.MESSAGE_DIGEST.code()) {
                options.add(o);
            }
        }
        byte[] wire = FailoverCodec.encode(message.withOptions(options));
        byte[] mac = mac(wire);
        System.arraycopy(mac, 0, wire, MAC_OFFSET, MAC_LENGTH);
        return wire;
    }

    /** Checks the digest of received wire bytes (a whole message, payload offset 12). */
    public Verdict verify(byte[] wire) {
        if (wire.length < MAC_OFFSET + MAC_LENGTH
                || (wire[3] & 0xff) != FailoverCodec.HEADER_LENGTH
                || code(wire, 12) != FailoverOption.MESSAGE_DIGEST.code()) {
            return Verdict.MISSING;
        }
        if (code(wire, 14) != 1 + MAC_LENGTH || (wire[16] & 0xff) != HMAC_SHA256) {
            return Verdict.MISMATCH;
        }
        byte[] received = Arrays.copyOfRange(wire, MAC_OFFSET, MAC_OFFSET + MAC_LENGTH);
        byte[] zeroed = wire.clone();
        Arrays.fill(zeroed, MAC_OFFSET, MAC_OFFSET + MAC_LENGTH, (byte) 0);
        return MessageDigest.isEqual(received, mac(zeroed)) ? Verdict.VALID : Verdict.MISMATCH;
    }

    /** The message without its digest option, for processing after {@link #verify}. */
    public static FailoverMessage withoutDigest(FailoverMessage message) {
        return message.withOptions(message.options().stream()
                .filter(o -> o.code() != FailoverOption.MESSAGE_DIGEST.code())
                .toList());
    }

    private static byte[] placeholder() {
        byte[] data = new byte[1 + MAC_LENGTH];
        data[0] = HMAC_SHA256;
        return data;
    }

    private static int code(byte[] wire, int at) {
        return ((wire[at] & 0xff) << 8) | (wire[at + 1] & 0xff);
    }

    /** HMAC-SHA256 of the data with this relationship's secret. */
    byte[] mac(byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}

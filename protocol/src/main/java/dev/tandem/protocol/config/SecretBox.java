package dev.tandem.protocol.config;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals relationship secrets (AES-256-GCM, a fresh 96-bit nonce per value): at rest in the admin API's database and on
 * the configuration topic, where only the coordinators, which hold the key, open them. The coordinators need the
 * secret itself for HMAC, so it cannot be hashed; the key lives outside the database and the bus (configuration or a
 * Kubernetes Secret). Sealed form: {@code v1:<base64 nonce||ciphertext||tag>}.
 *
 * <p>As a command ({@code java -cp protocol.jar dev.tandem.protocol.config.SecretBox}), it seals the secret read on
 * standard input with the key in {@code TANDEM_CONFIG_KEY}: the local stack seals the secrets of configuration files so
 * with it before it publishes them.
 */
public final class SecretBox {

    /** What every sealed value starts with. */
    public static final String PREFIX = "v1:";

    private static final int NONCE = 12;
    private final SecretKeySpec key;
    // per instance, not static: a native image must not hold a seeded SecureRandom built at build time
    private final SecureRandom random = new SecureRandom();

    /** Whether a value is sealed (else it is a secret in clear, as a configuration file may hold it). */
    public static boolean isSealed(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    public static void main(String[] args) {
        String key = System.getenv("TANDEM_CONFIG_KEY");
        if (key == null || key.isBlank()) {
            System.err.println("TANDEM_CONFIG_KEY (base64 of 32 bytes) is not set");
            System.exit(2);
        }
        seal(key, System.in, System.out);
    }

    /** Seals the first line read (the secret, without its line end) and prints it. */
    static void seal(String key, java.io.InputStream in, java.io.PrintStream out) {
        String secret = new java.util.Scanner(in, java.nio.charset.StandardCharsets.UTF_8).nextLine();
        out.println(new SecretBox(key).seal(secret));
    }

    /** @param base64Key 32 bytes, base64 */
    public SecretBox(String base64Key) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secret key is not base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException(
                    "the secret key must be 32 bytes (base64 of 32 random bytes), was " + raw.length);
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    public String seal(String plain) {
        try {
            byte[] nonce = new byte[NONCE];
            random.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = c.doFinal(plain.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE);
            System.arraycopy(sealed, 0, out, NONCE, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** @throws IllegalArgumentException when the value was sealed with another key or altered */
    public String open(String stored) {
        if (!stored.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a sealed secret");
        }
        byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, NONCE));
            return new String(c.doFinal(in, NONCE, in.length - NONCE), java.nio.charset.StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalArgumentException("the stored secret does not open with the configured key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }
}

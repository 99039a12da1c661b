package dev.tandem.admin.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes of admin API users: PBKDF2-HMAC-SHA256, {@code pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>}.
 * Run it to make one: {@code java -cp admin-api.jar dev.tandem.admin.security.PasswordHashes} reads the password from
 * standard input and prints the hash.
 */
public final class PasswordHashes {

    public static final int DEFAULT_ITERATIONS = 210_000;
    private static final String SCHEME = "pbkdf2-sha256";

    private PasswordHashes() {}

    public static String hash(char[] password, int iterations) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return SCHEME + "$" + iterations + "$" + b64(salt) + "$" + b64(derive(password, salt, iterations, 32));
    }

    /** Whether the password matches the hash; false for a hash in any other form. Constant time in the hash. */
    public static boolean matches(char[] password, String hash) {
        String[] parts = hash.split("\\$");
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            if (iterations < 1 || expected.length == 0) {
                return false;
            }
            return MessageDigest.isEqual(expected, derive(password, salt, iterations, expected.length));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether the text is a hash this class can check. */
    public static boolean wellFormed(String hash) {
        String[] parts = hash.split("\\$");
        return parts.length == 4 && parts[0].equals(SCHEME) && parts[1].matches("[1-9][0-9]{0,8}");
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password, salt, iterations, bytes * 8))
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().withoutPadding().encodeToString(b);
    }

    public static void main(String[] args) throws java.io.IOException {
        java.io.Console console = System.console();
        char[] password = console != null
                ? console.readPassword("password: ")
                : new java.io.BufferedReader(
                                new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
                        .readLine()
                        .toCharArray();
        System.out.println(hash(password, args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ITERATIONS));
    }
}

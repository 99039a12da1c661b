package dev.tandem.lease.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TSIG keys read from a file in BIND's syntax, the one {@code tsig-keygen} writes and {@code named.conf} includes:
 * {@code key "name" { algorithm hmac-sha256; secret "base64"; };}. Comments ({@code #}, {@code //}) are allowed.
 */
public final class TsigKeys {

    private static final Pattern KEY = Pattern.compile(
            "key\\s+\"?([A-Za-z0-9._-]+)\"?\\s*\\{\\s*algorithm\\s+\"?([A-Za-z0-9-]+)\"?\\s*;\\s*secret\\s+\"([A-Za-z0-9+/=]+)\"\\s*;\\s*}\\s*;");
    private static final java.util.Set<String> ALGORITHMS =
            java.util.Set.of("hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha224", "hmac-sha1");

    /** One key: its name (absolute, lower case), algorithm and base64 secret. */
    public record Key(String name, String algorithm, String secret) {
        @Override
        public String toString() {
            return "Key[" + name + ", " + algorithm + "]"; // never the secret
        }
    }

    private final Map<String, Key> keys;

    private TsigKeys(Map<String, Key> keys) {
        this.keys = Map.copyOf(keys);
    }

    public static TsigKeys none() {
        return new TsigKeys(Map.of());
    }

    /** Reads the file; throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static TsigKeys read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("TSIG key file " + file + " cannot be read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    static TsigKeys parse(String text, String source) {
        String clean = text.replaceAll("(?m)(#|//).*$", "").trim();
        Map<String, Key> keys = new LinkedHashMap<>();
        Matcher m = KEY.matcher(clean);
        int at = 0;
        while (m.find()) {
            if (!clean.substring(at, m.start()).isBlank()) {
                throw new IllegalArgumentException("TSIG key file " + source + ": not a key statement: '"
                        + excerpt(clean.substring(at, m.start())) + "'");
            }
            String name = absolute(m.group(1));
            String algorithm = m.group(2).toLowerCase(Locale.ROOT);
            if (!ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException("TSIG key file " + source + ": key " + name + " has algorithm "
                        + algorithm + ", not one of " + ALGORITHMS);
            }
            try {
                Base64.getDecoder().decode(m.group(3));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "TSIG key file " + source + ": key " + name + " has a secret" + " that is not base64");
            }
            if (keys.put(name, new Key(name, algorithm, m.group(3))) != null) {
                throw new IllegalArgumentException("TSIG key file " + source + ": key " + name + " twice");
            }
            at = m.end();
        }
        if (!clean.substring(at).isBlank()) {
            throw new IllegalArgumentException(
                    "TSIG key file " + source + ": not a key statement: '" + excerpt(clean.substring(at)) + "'");
        }
        return new TsigKeys(keys);
    }

    /** The key of this name (with or without the final dot, any case). */
    public Optional<Key> get(String name) {
        return Optional.ofNullable(keys.get(absolute(name)));
    }

    public int size() {
        return keys.size();
    }

    private static String absolute(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower : lower + ".";
    }

    private static String excerpt(String text) {
        String t = text.trim();
        return t.length() > 40 ? t.substring(0, 40) + "..." : t;
    }
}

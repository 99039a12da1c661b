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
 * {@code key "name" { algorithm hmac-sha256; secret "base64"; };}, the two statements in either order. Comments
 * ({@code #}, {@code //}, {@code /* *}{@code /}) are allowed outside quoted strings.
 */
public final class TsigKeys {

    private static final Pattern KEY = Pattern.compile("key\\s+\"?([A-Za-z0-9._-]+)\"?\\s*\\{([^{}]*)}\\s*;");
    private static final Pattern ALGORITHM = Pattern.compile("^\\s*algorithm\\s+\"?([A-Za-z0-9-]+)\"?\\s*$");
    private static final Pattern SECRET = Pattern.compile("^\\s*secret\\s+\"([A-Za-z0-9+/=]+)\"\\s*$");
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
        String clean = withoutComments(text).trim();
        Map<String, Key> keys = new LinkedHashMap<>();
        Matcher m = KEY.matcher(clean);
        int at = 0;
        while (m.find()) {
            if (!clean.substring(at, m.start()).isBlank()) {
                throw new IllegalArgumentException("TSIG key file " + source + ": not a key statement: '"
                        + excerpt(clean.substring(at, m.start())) + "'");
            }
            String name = absolute(m.group(1));
            String algorithm = null;
            String secret = null;
            for (String statement : m.group(2).split(";")) {
                Matcher a = ALGORITHM.matcher(statement);
                Matcher k = SECRET.matcher(statement);
                if (a.matches() && algorithm == null) {
                    algorithm = a.group(1).toLowerCase(Locale.ROOT);
                } else if (k.matches() && secret == null) {
                    secret = k.group(1);
                } else if (!statement.isBlank()) {
                    throw new IllegalArgumentException("TSIG key file " + source + ": key " + name
                            + " has a statement that is not one algorithm and one secret: '" + excerpt(statement)
                            + "'");
                }
            }
            if (algorithm == null || secret == null || !m.group(2).trim().endsWith(";")) {
                throw new IllegalArgumentException(
                        "TSIG key file " + source + ": key " + name + " needs 'algorithm ...;' and 'secret \"...\";'");
            }
            if (!ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException("TSIG key file " + source + ": key " + name + " has algorithm "
                        + algorithm + ", not one of " + ALGORITHMS);
            }
            try {
                Base64.getDecoder().decode(secret);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "TSIG key file " + source + ": key " + name + " has a secret that is not base64");
            }
            if (keys.put(name, new Key(name, algorithm, secret)) != null) {
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

    /** The text without {@code #}, {@code //} and {@code /* *}{@code /} comments outside quoted strings. */
    static String withoutComments(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean quoted = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (!quoted && (c == '#' || text.startsWith("//", i))) {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end; // the line's end stays
                continue;
            }
            if (!quoted && text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? text.length() : end + 2;
                out.append(' ');
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            out.append(c);
            i++;
        }
        return out.toString();
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

package dev.tandem.admin.security;

import dev.tandem.admin.config.AdminConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The admin API's users, from configuration and an optional users file, checked at start. */
@ApplicationScoped
public class Users {

    public static final String ADMIN = "admin";
    public static final String READER = "reader";

    /** A user: an admin may do everything a reader may. */
    public record User(String name, String role, String hash) {
        public Set<String> roles() {
            return role.equals(ADMIN) ? Set.of(ADMIN, READER) : Set.of(READER);
        }
    }

    private final Map<String, User> users;

    public Users(AdminConfig config) {
        List<String> entries = new ArrayList<>(config.users().orElse(List.of()));
        config.usersFile().ifPresent(path -> {
            try {
                Files.readAllLines(path).stream()
                        .map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                        .forEach(entries::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the users file " + path, e);
            }
        });
        this.users = parse(entries);
        if (users.isEmpty()) {
            Log.warn("No admin API users are configured (tandem.admin.users, tandem.admin.users-file): every call but"
                    + " health is refused");
        } else {
            Log.infof(
                    "Admin API users: %s",
                    users.values().stream()
                            .map(u -> u.name() + " (" + u.role() + ")")
                            .toList());
        }
    }

    /** Parses {@code name:role:hash} entries; a wrong one stops the service with what is wrong. */
    static Map<String, User> parse(List<String> entries) {
        Map<String, User> out = new HashMap<>();
        for (String entry : entries) {
            String[] parts = entry.strip().split(":", 3);
            String name = parts[0];
            if (parts.length != 3 || name.isEmpty()) {
                throw new IllegalArgumentException("user entry '" + name + ":…' must be name:role:hash");
            }
            if (!parts[1].equals(ADMIN) && !parts[1].equals(READER)) {
                throw new IllegalArgumentException("user " + name + ": role must be admin or reader, not " + parts[1]);
            }
            if (!PasswordHashes.wellFormed(parts[2])) {
                throw new IllegalArgumentException(
                        "user " + name + ": the hash must be pbkdf2-sha256$iterations$salt$hash (see PasswordHashes)");
            }
            if (out.put(name, new User(name, parts[1], parts[2])) != null) {
                throw new IllegalArgumentException("user " + name + " is configured twice");
            }
        }
        return Map.copyOf(out);
    }

    public Optional<User> find(String name) {
        return Optional.ofNullable(users.get(name));
    }
}

package dev.tandem.admin.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of the admin API ({@code tandem.admin.*}). */
@ConfigMapping(prefix = "tandem.admin")
public interface AdminConfig {

    /**
     * Users as {@code name:role:hash} entries (role {@code admin} or {@code reader}; hash from {@code PasswordHashes}),
     * comma-separated. Added to those of {@link #usersFile()}.
     */
    Optional<List<String>> users();

    /** A file of {@code name:role:hash} lines (a mounted Kubernetes Secret, say); '#' starts a comment. */
    Optional<Path> usersFile();

    /** Base64 of 32 random bytes: encrypts relationship secrets in the database. Without it no secret can be set. */
    Optional<String> secretKey();

    /**
     * The coordinators' command credential ({@code tandem.command-token} there), sent with every command as
     * {@code Authorization: Bearer}; from a Secret. Without it a coordinator refuses partner-down and maintenance.
     */
    Optional<String> coordinatorToken();

    /** How long a coordinator may take to answer a state query or a command. */
    @WithDefault("10s")
    Duration coordinatorTimeout();

    /** How long publishing a configuration document may take before it is left to the retry. */
    @WithDefault("10s")
    Duration publishTimeout();

    /** How many leases a search returns at most. */
    @WithDefault("1000")
    int maxSearchResults();

    /** How long the console's history (lease events, failover states) is kept. */
    @WithDefault("24h")
    Duration historyRetention();
}

package dev.tandem.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Values shared by every class loader of this JVM. Quarkus loads test code and test resources in different class
 * loaders and resets system properties between applications, so the one broker and the one database server of a test
 * JVM are found through a file named after the JVM's pid.
 */
final class JvmShared {

    private JvmShared() {}

    private static Path file(String key) {
        return Path.of(
                System.getProperty("java.io.tmpdir"),
                "tandem-test-" + ProcessHandle.current().pid() + "-" + key);
    }

    static Optional<String> get(String key) {
        try {
            Path f = file(key);
            return Files.exists(f) ? Optional.of(Files.readString(f).trim()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void put(String key, String value) {
        try {
            Path f = file(key);
            Files.writeString(f, value);
            f.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

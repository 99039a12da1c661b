package dev.tandem.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * One real PostgreSQL 15 server shared by every test of the JVM, durable as in production (fsync and synchronous
 * commit on). Each caller gets its own database.
 */
public final class TestPostgres {

    private static EmbeddedPostgres server;

    private TestPostgres() {}

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder()
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("max_connections", "100")
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("PostgreSQL did not start", e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    started.close();
                                } catch (IOException ignored) {
                                    // the JVM is ending; the data directory is temporary
                                }
                            },
                            "test-postgres-stop"));
        }
        return server;
    }

    /** The port of the one server of this JVM, started on first use. */
    public static synchronized int port() {
        synchronized (JvmShared.class) {
            Optional<String> running = JvmShared.get("postgres-port");
            if (running.isPresent()) {
                return Integer.parseInt(running.get());
            }
            int port = server().getPort();
            JvmShared.put("postgres-port", Integer.toString(port));
            return port;
        }
    }

    /** Creates the database on first use. */
    public static synchronized String database(String name) {
        String url = "jdbc:postgresql://localhost:" + port() + "/postgres";
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE \"" + name + "\"");
            }
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // created meanwhile by another class loader
                throw new IllegalStateException("could not create database " + name, e);
            }
        }
        return name;
    }

    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database(database);
    }

    public static String reactiveUrl(String database) {
        return "postgresql://localhost:" + port() + "/" + database(database);
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
    }
}

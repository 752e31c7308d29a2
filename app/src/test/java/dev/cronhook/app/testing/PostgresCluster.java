package dev.cronhook.app.testing;

import dev.cronhook.app.embedded.LocalPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL cluster of a test's own (the machine's PostgreSQL binaries, a data directory in the test's
 * temporary directory, a free port on 127.0.0.1), run as the unprivileged {@code postgres} user, that the test can
 * kill with SIGKILL and start again on the same data and port. Never the machine's shared server.
 */
public final class PostgresCluster implements AutoCloseable {
    private static final String OS_USER = "postgres";

    private final Path bin;
    private final Path data;
    private final Path log;
    private final int port;
    private Process postmaster;

    public PostgresCluster(Path dir) throws IOException, InterruptedException {
        this.bin = binaries();
        this.data = dir.resolve("data");
        this.log = dir.resolve("postgres.log");
        Files.createDirectories(dir);
        // a port PostgreSQL/Redis is restarted on: outside the range outgoing connections take theirs from
        this.port = LocalPorts.stable();
        run(List.of("chown", "-R", OS_USER + ":" + OS_USER, dir.toString()));
        run(asPostgres(List.of(
                bin.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                OS_USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale")));
        start();
        try (var c = DriverManager.getConnection(url("postgres"), OS_USER, "");
                var st = c.createStatement()) {
            st.execute("CREATE DATABASE cronhook");
        } catch (SQLException e) {
            throw new IOException("cannot create the test's database: " + e.getMessage(), e);
        }
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String jdbcUrl() {
        return url("cronhook");
    }

    public String username() {
        return OS_USER;
    }

    public int port() {
        return port;
    }

    /** Starts the postmaster on the data directory and port; after a SIGKILL, waits for the old backends to go. */
    public void start() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            postmaster = new ProcessBuilder(asPostgres(List.of(
                            bin.resolve("postgres").toString(),
                            "-D",
                            data.toString(),
                            "-p",
                            Integer.toString(port),
                            "-c",
                            "listen_addresses=127.0.0.1",
                            "-c",
                            "unix_socket_directories=",
                            "-c",
                            "max_connections=200",
                            "-c",
                            "shared_buffers=64MB")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            while (postmaster.isAlive() && System.nanoTime() < deadline) {
                if (accepting()) return;
                Thread.sleep(100);
            }
            // a postmaster killed a moment ago leaves backends attached to its shared memory: the new one refuses
            // to start until they have noticed and exited
            if (System.nanoTime() > deadline) throw new IOException("PostgreSQL did not start; see " + log);
            Thread.sleep(500);
        }
    }

    /** Kills the postmaster with SIGKILL, as a crash would; its backends exit when they notice. */
    public void kill() throws InterruptedException {
        postmaster.destroyForcibly();
        postmaster.waitFor(10, TimeUnit.SECONDS);
    }

    private boolean accepting() {
        try (var c = DriverManager.getConnection(url("postgres"), OS_USER, "")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (postmaster != null && postmaster.isAlive()) {
            // a fast shutdown (SIGINT)
            new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
            if (!postmaster.waitFor(20, TimeUnit.SECONDS)) postmaster.destroyForcibly();
        }
    }

    private static List<String> asPostgres(List<String> command) {
        // setpriv execs the program itself (no child in between): the pid is the postmaster's
        var out = new ArrayList<>(List.of("setpriv", "--reuid=" + OS_USER, "--regid=" + OS_USER, "--clear-groups"));
        out.addAll(command);
        return out;
    }

    private static Path binaries() throws IOException {
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("postgres")))
                    .max(Path::compareTo)
                    .orElseThrow(() -> new IOException("no PostgreSQL binaries under /usr/lib/postgresql"));
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + out);
    }
}

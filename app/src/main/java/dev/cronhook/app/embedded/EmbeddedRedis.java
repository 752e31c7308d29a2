package dev.cronhook.app.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis server of our own under {@code <home>/redis}, from the binary packaged in org.signal:embedded-redis.
 * The append-only file is on (fsync every second), so queued work survives a restart. It requires the password in
 * {@code <home>/redis/password} (mode 0600, made on the first start, also for a directory from before there was
 * one), handed to the server in a configuration file of mode 0600, never on its command line, which every user of
 * the machine can read.
 */
public final class EmbeddedRedis implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);
    private static final String BINARY = "redis-server-7.0.15-linux-amd64";

    private final Path dir;
    private final int port;
    private final String password;
    private Supervisor supervisor;

    private EmbeddedRedis(Path dir, int port, String password) {
        this.dir = dir;
        this.port = port;
        this.password = password;
    }

    public static EmbeddedRedis start(Path home) {
        try {
            return startIn(home.resolve("redis"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded Redis: " + e.getMessage(), e);
        }
    }

    /** The URL clients connect with, password included: never log it, log {@link #address()}. */
    public String url() {
        return "redis://:" + password + "@127.0.0.1:" + port;
    }

    /** Where it listens, without the password. */
    public String address() {
        return "redis://127.0.0.1:" + port;
    }

    private static EmbeddedRedis startIn(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path binary = dir.resolve(BINARY);
        if (!Files.exists(binary)) {
            Path tmp = Files.createTempFile(dir, "redis-", ".tmp");
            try (InputStream in = EmbeddedRedis.class.getClassLoader().getResourceAsStream(BINARY)) {
                if (in == null) throw new IOException(BINARY + " is not on the classpath");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp.toFile().setExecutable(true, false);
            Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE);
        }
        Path pidFile = dir.resolve("redis.pid");
        ChildProcesses.stopLeftover(pidFile, BINARY, "TERM");
        String password = SecretFile.readOrCreate(dir.resolve("password"));
        Path config = dir.resolve("redis.conf");
        // written afresh each start, readable by us only: what it holds is the password
        SecretFile.write(config, "requirepass " + password + "\n");
        var redis = new EmbeddedRedis(dir, LocalPorts.stable(), password);
        redis.supervisor = new Supervisor("the embedded Redis", () -> redis.launch(binary, config, pidFile));
        log.info("Embedded Redis is up on 127.0.0.1:{} (data in {})", redis.port, dir);
        return redis;
    }

    /** Starts redis-server on this port and data (again, after a crash) and waits until it answers. */
    private Process launch(Path binary, Path config, Path pidFile) throws IOException {
        ChildProcesses.stopLeftover(pidFile, BINARY, "TERM");
        return Supervisor.whenReady(
                new ProcessBuilder(List.of(
                                binary.toString(),
                                config.toString(),
                                "--bind",
                                "127.0.0.1",
                                "--port",
                                Integer.toString(port),
                                "--dir",
                                dir.toString(),
                                "--pidfile",
                                pidFile.toString(),
                                "--appendonly",
                                "yes",
                                "--appendfsync",
                                "everysec",
                                "--save",
                                "",
                                // its timer ticks once a second, not ten times: an idle server costs a tenth; blocked
                                // reads' time-outs and the fsync of a quiet second come up to a second later
                                "--hz",
                                "1",
                                "--daemonize",
                                "no",
                                "--protected-mode",
                                "yes",
                                "--logfile",
                                dir.resolve("redis.log").toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(
                                dir.resolve("redis.log").toFile()))
                        .start(),
                this::awaitReady);
    }

    private void awaitReady(Process process) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "Redis exited (code " + process.exitValue() + "); see " + dir.resolve("redis.log"));
            }
            try (var socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(2000);
                socket.getOutputStream()
                        .write(("AUTH " + password + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII));
                var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                String auth = in.readLine();
                String ping = in.readLine();
                if (auth != null && auth.startsWith("-WRONGPASS")) {
                    throw new IllegalStateException(
                            "the embedded Redis refuses the password in " + dir.resolve("password"));
                }
                // while it loads the append-only file Redis answers -LOADING; wait for +PONG
                if ("+PONG".equals(ping)) return;
            } catch (IOException e) {
                // not listening yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        throw new IOException("Redis did not answer within 30 s");
    }

    @Override
    public void close() {
        supervisor.close();
        // SIGTERM: Redis flushes the append-only file and exits
        ChildProcesses.stop(supervisor.process().toHandle(), "TERM", Duration.ofSeconds(10));
        log.info("Embedded Redis stopped");
    }
}

package dev.cronhook.app.testing;

import dev.cronhook.app.embedded.LocalPorts;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own (the machine's binary), with the append-only file on, that the test can stop
 * and start again on the same port and data, as an operator restarts Redis.
 */
public final class RedisProcess implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final List<String> extraArgs;
    private Process process;

    public RedisProcess() throws IOException {
        this(List.of());
    }

    /** With more redis-server options, e.g. {@code --requirepass} for the default user. */
    public RedisProcess(List<String> extraArgs) throws IOException {
        this.extraArgs = List.copyOf(extraArgs);
        this.dir = Files.createTempDirectory("cronhook-redis-");
        // a port PostgreSQL/Redis is restarted on: outside the range outgoing connections take theirs from
        this.port = LocalPorts.stable();
        start();
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public void start() throws IOException {
        var command = new java.util.ArrayList<>(List.of(
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--dir",
                dir.toString(),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                ""));
        command.addAll(extraArgs);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (var socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("PING\r\n".getBytes());
                byte[] reply = new byte[5];
                // a server with a password answers -NOAUTH: it is up all the same
                if (socket.getInputStream().read(reply) > 0
                        && (new String(reply).startsWith("+PONG") || new String(reply).startsWith("-NOAU"))) return;
            } catch (IOException e) {
                // not yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IOException("redis-server did not start; see " + dir.resolve("redis.log"));
    }

    /** A graceful stop (SIGTERM): Redis flushes its append-only file and exits. */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

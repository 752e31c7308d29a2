package dev.cronhook.app.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One role of the split deployment as an operating-system process of its own: the application jar with
 * {@code CRONHOOK_ROLES}, its own data directory and fixed ports (so a restarted replica is found where it was),
 * its settings in its environment. Killed with SIGKILL and started again by the chaos run.
 */
final class AppProcess {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static final int LOG_TAIL = 40;

    final String name;
    final String roles;
    final int port;
    final int managementPort;
    private final Path jar;
    private final Path home;
    private final Map<String, String> environment;
    private final List<String> jvmOptions;
    private volatile Process process;
    private int starts;

    AppProcess(
            String name,
            String roles,
            Path jar,
            Path home,
            int port,
            int managementPort,
            Map<String, String> environment,
            List<String> jvmOptions) {
        this.name = name;
        this.roles = roles;
        this.jar = jar;
        this.home = home;
        this.port = port;
        this.managementPort = managementPort;
        this.environment = Map.copyOf(environment);
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    synchronized void start() throws IOException {
        Files.createDirectories(home);
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        var builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        home.resolve("process.log").toFile()));
        var env = builder.environment();
        // nothing of the test JVM's own CRONHOOK_* settings leaks into a replica
        env.keySet().removeIf(k -> k.startsWith("CRONHOOK_"));
        env.putAll(environment);
        env.put("CRONHOOK_ROLES", roles);
        env.put("CRONHOOK_HOME", home.toString());
        env.put("CRONHOOK_PORT", Integer.toString(port));
        env.put("CRONHOOK_MANAGEMENT_PORT", Integer.toString(managementPort));
        Files.writeString(
                home.resolve("process.log"),
                "---- start " + (++starts) + " at " + java.time.Instant.now() + "\n",
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        process = builder.start();
    }

    /** Kills the process with SIGKILL ({@code kill -9}): no shutdown hook, no graceful stop. */
    void kill() throws IOException, InterruptedException {
        var p = process;
        if (p == null) return;
        new ProcessBuilder("kill", "-9", Long.toString(p.pid()))
                .inheritIO()
                .start()
                .waitFor();
        p.waitFor(20, TimeUnit.SECONDS);
    }

    /** A graceful stop (SIGTERM): the application's own shutdown. */
    void stop() throws InterruptedException {
        var p = process;
        if (p == null || !p.isAlive()) return;
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    boolean alive() {
        var p = process;
        return p != null && p.isAlive();
    }

    long pid() {
        var p = process;
        return p == null ? -1 : p.pid();
    }

    /** Whether its readiness probe answers 200 (on the management port, which every role serves). */
    boolean ready() {
        try {
            var r = HTTP.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void awaitReady(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive()) throw new IllegalStateException(name + " exited while starting; see " + log() + logTail());
            if (ready()) return;
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " was not ready within " + within + "; see " + log() + logTail());
    }

    /** The last lines of its log, for a failure's message: a CI run's temporary directory is gone when it is read. */
    private String logTail() {
        try {
            var lines = Files.readAllLines(log());
            return ", which ends:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL), lines.size()));
        } catch (IOException | RuntimeException e) {
            return " (unreadable: " + e + ")";
        }
    }

    Path log() {
        return home.resolve("process.log");
    }

    @Override
    public String toString() {
        return name;
    }
}

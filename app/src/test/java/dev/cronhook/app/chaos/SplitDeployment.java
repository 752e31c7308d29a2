package dev.cronhook.app.chaos;

import dev.cronhook.app.embedded.LocalPorts;
import dev.cronhook.app.testing.PostgresCluster;
import dev.cronhook.app.testing.RedisProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Cronhook split over processes on this machine, as on Kubernetes: two api, two scheduler, two executor, one builder
 * and one try-out process (the same application jar, each with its roles), on a PostgreSQL and a Redis of their own,
 * the builder pushing to the registry on 127.0.0.1:5000 and the executors running scripts in Docker. The api replicas
 * are reached through one {@link ServiceProxy} and their management ports through another, as Services would.
 */
final class SplitDeployment implements AutoCloseable {
    static final String ADMIN_PASSWORD = "chaos-admin-" + UUID.randomUUID();
    /** The host the chaos scripts report their executions to, mapped to the {@link ExecutionCounter}. */
    static final String COUNTER_HOST = "counter.chaos.test";

    final Path dir;
    final String runName;
    final PostgresCluster postgres;
    final RedisProcess redis;
    final List<AppProcess> processes = new ArrayList<>();
    final ServiceProxy apiService;
    final ServiceProxy managementService;

    SplitDeployment(Path jar, int counterPort, Map<String, String> extra) throws Exception {
        runName = "chaos-" + UUID.randomUUID().toString().substring(0, 8);
        // short: the executors' socket directories under it must stay within a Unix socket address
        dir = Files.createTempDirectory(Path.of("/tmp"), "ch");
        // the unprivileged postgres user must reach its data directory below this one
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        postgres = new PostgresCluster(dir.resolve("pg"));
        // the embedded default's durability: the append-only file written every second
        redis = new RedisProcess(List.of("--appendfsync", "everysec", "--maxclients", "2000"));

        int api1 = freePort(), api2 = freePort(), sched1 = freePort(), sched2 = freePort();
        int m1 = freePort(), m2 = freePort(), ms1 = freePort(), ms2 = freePort();
        apiService = new ServiceProxy(List.of(api1, api2));
        managementService = new ServiceProxy(List.of(m1, m2, ms1, ms2));

        var common = new HashMap<String, String>();
        common.put("CRONHOOK_REDIS_URL", redis.url());
        common.put("CRONHOOK_INTERNAL_TOKEN", "chaos-" + UUID.randomUUID());
        common.put("CRONHOOK_PUBLIC_URL", "http://127.0.0.1:" + apiService.port());
        common.putAll(extra);
        var database = new HashMap<>(common);
        database.put("CRONHOOK_DB_URL", postgres.jdbcUrl());
        database.put("CRONHOOK_DB_USERNAME", postgres.username());
        database.put("CRONHOOK_DB_PASSWORD", "");
        database.put("CRONHOOK_DB_POOL_SIZE", "10");
        database.put("CRONHOOK_ADMIN_PASSWORD", ADMIN_PASSWORD);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        database.put("CRONHOOK_SECRET_KEY", Base64.getEncoder().encodeToString(key));
        var workers = new HashMap<>(common);
        workers.put("CRONHOOK_EXECUTOR_API_URL", "http://127.0.0.1:" + managementService.port());
        workers.put("CRONHOOK_EXECUTOR_RUNTIME", "docker");
        workers.put("CRONHOOK_EGRESS_TEST_HOSTS", COUNTER_HOST + ":80=127.0.0.1:" + counterPort);

        add(jar, "api-1", "api", api1, m1, database, "320m");
        add(jar, "api-2", "api", api2, m2, database, "320m");
        add(jar, "scheduler-1", "scheduler", sched1, ms1, database, "320m");
        add(jar, "scheduler-2", "scheduler", sched2, ms2, database, "320m");
        for (int i = 1; i <= 2; i++) {
            var executor = new HashMap<>(workers);
            executor.put("CRONHOOK_EXECUTOR_CONSUMER_NAME", runName + "-executor-" + i);
            add(jar, "executor-" + i, "executor", freePort(), freePort(), executor, "256m");
        }
        var builder = new HashMap<>(common);
        builder.put("CRONHOOK_BUILDER_TARGET", "registry");
        builder.put("CRONHOOK_BUILDER_REGISTRY", "127.0.0.1:5000");
        builder.put("CRONHOOK_BUILDER_CONCURRENCY", "4");
        add(jar, "builder", "builder", freePort(), freePort(), builder, "256m");
        var tryOut = new HashMap<>(workers);
        tryOut.put("CRONHOOK_TRY_OUT_BLANKS_READY", "0");
        tryOut.put("CRONHOOK_EXECUTOR_CONSUMER_NAME", runName + "-try-out");
        add(jar, "try-out", "try-out", freePort(), freePort(), tryOut, "256m");
    }

    private void add(
            Path jar, String name, String roles, int port, int management, Map<String, String> env, String heap) {
        processes.add(new AppProcess(
                name,
                roles,
                jar,
                dir.resolve(name),
                port,
                management,
                env,
                List.of(
                        "-Xms64m",
                        "-Xmx" + heap,
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-XX:+ExitOnOutOfMemoryError")));
    }

    AppProcess process(String name) {
        return processes.stream().filter(p -> p.name.equals(name)).findFirst().orElseThrow();
    }

    /** Starts every process (the api replicas first: they migrate the database) and waits until all are ready. */
    void start() throws Exception {
        var first = process("api-1");
        first.start();
        first.awaitReady(Duration.ofMinutes(6));
        for (var p : processes) if (p != first) p.start();
        for (var p : processes) p.awaitReady(Duration.ofMinutes(10));
    }

    /** Starts again every process that is not running, and waits until all are ready. */
    void heal() throws Exception {
        for (var p : processes) if (!p.alive()) p.start();
        for (var p : processes) p.awaitReady(Duration.ofMinutes(10));
    }

    String apiUrl() {
        return "http://127.0.0.1:" + apiService.port();
    }

    @Override
    public void close() throws Exception {
        for (var p : processes.reversed()) {
            try {
                p.stop();
            } catch (RuntimeException e) {
                // stopping the rest anyway
            }
        }
        removeContainers();
        apiService.close();
        managementService.close();
        redis.close();
        postgres.close();
    }

    /** Removes the script containers of this run's executors that a killed executor left behind. */
    void removeContainers() throws IOException, InterruptedException {
        var list = new ProcessBuilder(
                        "docker",
                        "ps",
                        "-a",
                        "--filter",
                        "label=dev.cronhook.executor",
                        "--format",
                        "{{.ID}} {{.Label \"dev.cronhook.executor\"}}")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        var ids = new ArrayList<String>();
        for (String line : new String(list.getInputStream().readAllBytes()).split("\n")) {
            var parts = line.strip().split(" ", 2);
            if (parts.length == 2 && parts[1].startsWith(runName)) ids.add(parts[0]);
        }
        list.waitFor();
        if (ids.isEmpty()) return;
        var command = new ArrayList<>(List.of("docker", "rm", "-f"));
        command.addAll(ids);
        new ProcessBuilder(command).redirectErrorStream(true).start().waitFor();
    }

    /** A port a killed replica is started on again: outside the range outgoing connections take theirs from. */
    static int freePort() throws IOException {
        return LocalPorts.stable();
    }
}

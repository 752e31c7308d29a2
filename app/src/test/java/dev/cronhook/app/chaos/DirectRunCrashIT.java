package dev.cronhook.app.chaos;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.PostgresCluster;
import dev.cronhook.app.testing.RedisProcess;
import dev.cronhook.app.testing.RunQueue;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A sync webhook's run taken directly by the executor in the api's own process (no run queue) survives that process
 * being killed with SIGKILL in the middle of it: the run was recorded and held, the hold runs out, and the queued-run
 * sweep of the process started again queues it, so it ends SUCCEEDED with its result. One process with every role but
 * the try-out, on a PostgreSQL and a Redis of its own, scripts built into the registry on 127.0.0.1:5000 and run in
 * Docker; a short hold and grace so that the test waits seconds, not minutes.
 */
class DirectRunCrashIT {

    @Test
    void aDirectRunWhoseProcessIsKilledIsQueuedAgainAndEnds() throws Exception {
        var dir = Files.createTempDirectory(Path.of("/tmp"), "dr");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        var name = "direct-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "direct-admin-" + UUID.randomUUID();
        try (var postgres = new PostgresCluster(dir.resolve("pg"));
                var redis = new RedisProcess(List.of("--appendfsync", "everysec"))) {
            var env = new HashMap<String, String>();
            env.put("CRONHOOK_DB_URL", postgres.jdbcUrl());
            env.put("CRONHOOK_DB_USERNAME", postgres.username());
            env.put("CRONHOOK_DB_PASSWORD", "");
            env.put("CRONHOOK_REDIS_URL", redis.url());
            env.put("CRONHOOK_ADMIN_PASSWORD", password);
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            env.put("CRONHOOK_SECRET_KEY", Base64.getEncoder().encodeToString(key));
            env.put("CRONHOOK_BUILDER_TARGET", "registry");
            env.put("CRONHOOK_BUILDER_REGISTRY", "127.0.0.1:5000");
            env.put("CRONHOOK_EXECUTOR_RUNTIME", "docker");
            env.put("CRONHOOK_EXECUTOR_CONSUMER_NAME", name);
            env.put("CRONHOOK_RUNS_DIRECT_HOLD_SLACK", "3s");
            env.put("CRONHOOK_SCHEDULER_QUEUED_GRACE", "3s");
            int port = SplitDeployment.freePort();
            var app = new AppProcess(
                    name,
                    "api,scheduler,builder,executor",
                    jar(),
                    dir.resolve("app"),
                    port,
                    SplitDeployment.freePort(),
                    env,
                    List.of("-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
            try {
                app.start();
                app.awaitReady(Duration.ofMinutes(6));
                var http = new Http("http://127.0.0.1:" + port);
                String token = http.login("admin", password);
                var created = http.post(
                        "/api/scripts",
                        json(Map.of(
                                "name",
                                "slow",
                                "timeoutSeconds",
                                10,
                                "code",
                                "export default async (e) => {"
                                        + " await new Promise(r => setTimeout(r, e.body.sleep || 0));"
                                        + " return { n: e.body.n }; }")),
                        token);
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                String id = created.json().get("id").asString();
                String hook = "http://127.0.0.1:" + port
                        + URI.create(created.json().get("webhookUrl").asString())
                                .getPath();
                awaitUntil(
                        Duration.ofMinutes(5),
                        () -> http.get("/api/scripts/" + id, token)
                                        .json()
                                        .path("activeVersion")
                                        .asInt(0)
                                == 1);
                assertThat(call(hook, "{\"n\":0}").statusCode()).isEqualTo(200); // a warm container
                long queuedBefore = RunQueue.appended(redis.url());

                // the caller's connection dies with the process: its answer is not what this test is about
                CompletableFuture.runAsync(() -> call(hook, "{\"n\":1,\"sleep\":6000}"));
                String[] running = new String[1];
                awaitUntil(Duration.ofSeconds(30), () -> {
                    var found = http.get("/api/runs?status=RUNNING&scriptId=" + id, token)
                            .json();
                    if (found.isEmpty()) return false;
                    running[0] = found.get(0).get("id").asString();
                    return true;
                });
                assertThat(RunQueue.appended(redis.url())).as("taken directly").isEqualTo(queuedBefore);

                app.kill();
                new ProcessBuilder(containersOf(name)).start().waitFor();
                app.start();
                app.awaitReady(Duration.ofMinutes(6));

                var run = awaitRun(http, token, running[0], Duration.ofMinutes(3));
                assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("SUCCEEDED");
                assertThat(run.get("result").toString()).isEqualTo("{\"n\":1}");
                assertThat(RunQueue.appended(redis.url()))
                        .as("queued again by the sweep")
                        .isEqualTo(queuedBefore + 1);
            } finally {
                app.stop();
                new ProcessBuilder(containersOf(name)).start().waitFor();
            }
        }
    }

    /** {@code docker rm -f} of the script containers the named executor left (one killed leaves them running). */
    private static List<String> containersOf(String executor) throws Exception {
        var list = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=dev.cronhook.executor=" + executor)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        var ids = new String(list.getInputStream().readAllBytes()).strip();
        list.waitFor();
        var command = new java.util.ArrayList<>(List.of("docker", "rm", "-f"));
        if (ids.isEmpty()) return List.of("true");
        command.addAll(List.of(ids.split("\\s+")));
        return command;
    }

    private static tools.jackson.databind.JsonNode awaitRun(Http http, String token, String runId, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        tools.jackson.databind.JsonNode run = null;
        while (System.nanoTime() < deadline) {
            run = http.get("/api/runs/" + runId, token).json();
            String status = run.path("status").asString("");
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) return run;
            Thread.sleep(500);
        }
        throw new AssertionError("run " + runId + " did not end within " + within + ": " + run);
    }

    private static void awaitUntil(Duration within, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + within);
            Thread.sleep(300);
        }
    }

    private static HttpResponse<String> call(String url, String body) {
        return Http.postJson(url, body);
    }

    private static Path jar() {
        return ChaosRun.Settings.fromSystemProperties().jar();
    }
}

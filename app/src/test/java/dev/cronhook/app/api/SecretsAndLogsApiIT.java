package dev.cronhook.app.api;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.app.testing.WireExecutor;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built-in secret store's API and the run log API (JSON and live server-sent events), over HTTP against the
 * running application; run logs are written to the live Redis stream as an executor writes them.
 */
class SecretsAndLogsApiIT {
    static TestPlatform platform;
    static Http http;
    static String alice;
    static String bob;
    static RedisClient redis;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api", Map.of());
        http = platform.http;
        String admin = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        http.post("/api/users", json(Map.of("username", "alice", "password", "alice-password")), admin);
        http.post("/api/users", json(Map.of("username", "bob", "password", "bob-password-1")), admin);
        alice = http.login("alice", "alice-password");
        bob = http.login("bob", "bob-password-1");
        redis = RedisClient.create(platform.redisUrl());
    }

    @AfterAll
    static void stop() {
        if (redis != null) redis.shutdown();
        if (platform != null) platform.close();
    }

    static String script(String token, String name) {
        var r = http.post("/api/scripts", json(Map.of("name", name, "code", "export default async () => 1")), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    /** A script whose version 1 the (stand-in) builder has reported READY, once the api has made it active. */
    static String activeScript(String token, String name) {
        String id = script(token, name);
        platform.deploy(UUID.fromString(id), 1, token);
        return id;
    }

    /** Follows a run's live log as a browser does; every line of the event stream goes to {@code onLine}. */
    static CompletableFuture<Void> followLog(String runUrl, String token, Consumer<String> onLine) {
        var response = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .sendAsync(
                        HttpRequest.newBuilder(URI.create(platform.baseUrl() + runUrl + "/logs"))
                                .header("Accept", "text/event-stream")
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        return CompletableFuture.runAsync(() -> {
            try (var in =
                    new BufferedReader(new InputStreamReader(response.get().body()))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) onLine.accept(line);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void secretValuesGoInButNeverComeOut() {
        String id = script(alice, "with-secrets");
        String value = "s3cr3t-value-" + UUID.randomUUID();
        var put = http.put("/api/secrets/API_KEY", json(Map.of("value", value)), alice);
        assertThat(put.status()).isEqualTo(200);
        var putScript =
                http.put("/api/scripts/" + id + "/secrets/API_KEY", json(Map.of("value", value + "-script")), alice);
        assertThat(putScript.status()).isEqualTo(200);
        var replaced =
                http.put("/api/scripts/" + id + "/secrets/API_KEY", json(Map.of("value", value + "-again")), alice);
        assertThat(replaced.status()).isEqualTo(200);

        var userList = http.get("/api/secrets", alice);
        var scriptList = http.get("/api/scripts/" + id + "/secrets", alice);
        assertThat(userList.json()).hasSize(1);
        assertThat(scriptList.json()).hasSize(1);
        assertThat(scriptList.json().get(0).get("name").asString()).isEqualTo("API_KEY");
        assertThat(scriptList.json().get(0).has("updatedAt")).isTrue();
        for (var r : List.of(put, putScript, replaced, userList, scriptList, http.get("/api/scripts/" + id, alice))) {
            assertThat(r.text()).doesNotContain(value);
        }
        assertThat(http.delete("/api/scripts/" + id + "/secrets/API_KEY", alice).status())
                .isEqualTo(204);
        assertThat(http.get("/api/scripts/" + id + "/secrets", alice).json()).isEmpty();
    }

    @Test
    void anotherUserCannotSeeOrSetAScriptsSecrets() {
        String id = script(alice, "alices-secrets");
        http.put("/api/scripts/" + id + "/secrets/TOKEN", json(Map.of("value", "alice-only")), alice);
        assertThat(http.get("/api/scripts/" + id + "/secrets", bob).status()).isEqualTo(404);
        assertThat(http.put("/api/scripts/" + id + "/secrets/TOKEN", json(Map.of("value", "bob")), bob)
                        .status())
                .isEqualTo(404);
        assertThat(http.delete("/api/scripts/" + id + "/secrets/TOKEN", bob).status())
                .isEqualTo(404);
        assertThat(http.get("/api/secrets", bob).json()).isEmpty();
    }

    @Test
    void badSecretNamesAndValuesAreRefused() {
        var badName = http.put("/api/secrets/1BAD-NAME", json(Map.of("value", "x")), alice);
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.json().get("errors").findValuesAsString("field")).contains("name");
        var noValue = http.put("/api/secrets/GOOD", "{}", alice);
        assertThat(noValue.status()).isEqualTo(400);
        assertThat(http.put("/api/secrets/BIG", json(Map.of("value", "x".repeat(40_000))), alice)
                        .status())
                .isEqualTo(400);
    }

    @Test
    void anInfisicalBindingIsShownWithoutItsClientSecret() {
        String id = script(alice, "infisical-bound");
        var bound = http.put(
                "/api/scripts/" + id + "/infisical",
                json(Map.of(
                        "siteUrl", "https://infisical.example.org",
                        "projectId", "proj-1",
                        "environment", "prod",
                        "secretPath", "/cronhook",
                        "clientId", "client-1",
                        "clientSecret", "very-secret-client-secret")),
                alice);
        assertThat(bound.status()).isEqualTo(200);
        var shown = http.get("/api/scripts/" + id + "/infisical", alice);
        assertThat(shown.json().get("clientId").asString()).isEqualTo("client-1");
        assertThat(bound.text() + shown.text()).doesNotContain("very-secret-client-secret");
        var bad = http.put("/api/scripts/" + id + "/infisical", json(Map.of("siteUrl", "ftp://x")), alice);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsString("field"))
                .contains("siteUrl", "projectId", "environment", "clientId", "clientSecret");
    }

    @Test
    void runLogsAreReadableAsJsonAndStreamLiveUntilTheRunEnds() throws Exception {
        String id = activeScript(alice, "chatty");

        // the executor writes each line only once the follower has the one before; with nothing written after
        // the last line until the follower has it, every line must reach the follower while the run goes on
        List<String> lines = List.of("first line", "second line", "third line");
        var seen = new ArrayList<CountDownLatch>();
        lines.forEach(l -> seen.add(new CountDownLatch(1)));
        var arrivedWhileRunning = new CopyOnWriteArrayList<String>();
        try (var executor = new WireExecutor(platform.redisUrl(), r -> {
            try (var c = redis.connect()) {
                String stream = Streams.runLog(r.runId());
                for (int i = 0; i < lines.size(); i++) {
                    c.sync()
                            .xadd(
                                    stream,
                                    Map.of(
                                            "t",
                                            Long.toString(System.currentTimeMillis()),
                                            "stream",
                                            i == 1 ? "stderr" : "stdout",
                                            "line",
                                            lines.get(i)));
                    try {
                        if (seen.get(i).await(20, TimeUnit.SECONDS)) arrivedWhileRunning.add(lines.get(i));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                c.sync().xadd(stream, Map.of("end", "SUCCEEDED"));
                // as the real executor leaves them: the finished mark and the live log last a day
                var result = WireExecutor.succeeded(r, "1");
                c.sync()
                        .setex(
                                Streams.finishedKey(r.runId()),
                                86_400,
                                Wire.json().writeValueAsString(result));
                c.sync().expire(stream, 86_400);
                return result;
            }
        })) {
            var run = http.post("/api/scripts/" + id + "/runs", json(Map.of()), alice);
            String runUrl = run.json().get("url").asString();

            // a live follower sees every line while the run is still going, then the end
            var events = new ArrayList<String>();
            var reader = followLog(runUrl, alice, line -> {
                if (!line.startsWith("data:")) return;
                synchronized (events) {
                    events.add(line);
                }
                for (int i = 0; i < lines.size(); i++) {
                    if (line.contains(lines.get(i))) seen.get(i).countDown();
                }
            });
            reader.get(90, TimeUnit.SECONDS);
            assertThat(arrivedWhileRunning).containsExactlyElementsOf(lines);
            assertThat(events).hasSize(4);
            assertThat(events.get(0)).contains("first line");
            assertThat(events.get(1)).contains("second line").contains("stderr");
            assertThat(events.get(2)).contains("third line");
            assertThat(events.get(3)).contains("SUCCEEDED");

            await().atMost(Duration.ofSeconds(10)).until(() -> http.get(runUrl, alice)
                    .json()
                    .get("status")
                    .asString()
                    .equals("SUCCEEDED"));
            var logs = http.get(runUrl + "/logs", alice).json();
            assertThat(logs.get("lines").findValuesAsString("text")).containsExactlyElementsOf(lines);

            // once recorded and archived, the run's records in Redis last minutes (recorded-key-ttl, archived-log-ttl),
            // not a day
            var runId = UUID.fromString(run.json().get("id").asString());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (var c = redis.connect()) {
                    assertThat(c.sync().ttl(Streams.finishedKey(runId))).isBetween(1L, 600L);
                    assertThat(c.sync().ttl(Streams.runLog(runId))).isBetween(1L, 60L);
                }
            });

            // kept in the database store after the live stream is gone
            try (var c = redis.connect()) {
                c.sync().del(Streams.runLog(UUID.fromString(run.json().get("id").asString())));
            }
            assertThat(http.get(runUrl + "/logs", alice).json().get("lines").findValuesAsString("text"))
                    .containsExactlyElementsOf(lines);
            assertThat(http.get(runUrl + "/logs", bob).status()).isEqualTo(404);
        }
    }

    @Test
    void aLiveFollowerOfARunThatPrintsNothingGetsItsEndFromItsStatus() throws Exception {
        String id = activeScript(alice, "silent");
        // as the executor does for a run that prints nothing: no live log at all, only the result; late enough that
        // the follower below starts while the run is going
        try (var executor = new WireExecutor(platform.redisUrl(), r -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return WireExecutor.succeeded(r, "1");
        })) {
            String runUrl = http.post("/api/scripts/" + id + "/runs", json(Map.of()), alice)
                    .json()
                    .get("url")
                    .asString();
            var events = new CopyOnWriteArrayList<String>();
            var reader = followLog(runUrl, alice, line -> {
                if (line.startsWith("event:") || line.startsWith("data:")) events.add(line);
            });

            reader.get(30, TimeUnit.SECONDS);
            assertThat(events).hasSize(2);
            assertThat(events.get(0)).isEqualTo("event:end");
            assertThat(events.get(1)).contains("SUCCEEDED");
        }
    }
}

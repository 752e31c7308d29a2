package dev.cronhook.app.e2e;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.RunQueue;
import dev.cronhook.app.testing.TestPlatform;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The platform end to end on the real parts: the builder bakes each version with npm and jib and pushes it to
 * the registry on 127.0.0.1:5000, the executor pulls it by digest and runs it in Docker (network none), and the
 * api answers the webhook with what the script returned.
 */
class PlatformEndToEndIT {
    static TestPlatform platform;
    static Http http;
    static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start(
                "api,builder,executor",
                Map.of(
                        "cronhook.builder.target", "registry",
                        "cronhook.builder.registry", "127.0.0.1:5000",
                        "cronhook.executor.runtime", "docker",
                        "cronhook.webhooks.sync-timeout", "20s"));
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    /** Creates a script and waits until its first version is built and active; returns its JSON. */
    static JsonNode deployed(String name, String code, Map<String, Object> extra) {
        var body = new HashMap<String, Object>(extra);
        body.put("name", name);
        body.put("code", code);
        var r = http.post("/api/scripts", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String id = r.json().get("id").asString();
        awaitActive(id, 1);
        return r.json();
    }

    static void awaitActive(String id, int version) {
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    var s = http.get("/api/scripts/" + id, token).json();
                    var versions =
                            http.get("/api/scripts/" + id + "/versions", token).json();
                    for (var v : versions) {
                        if (v.get("version").asInt() == version
                                && v.get("buildState").asString().equals("FAILED")) {
                            throw new AssertionError("build failed: "
                                    + http.get("/api/scripts/" + id + "/versions/" + version + "/build", token)
                                            .text());
                        }
                    }
                    return s.path("activeVersion").asInt(0) == version;
                });
    }

    static HttpResponse<String> call(String url, String body) {
        return Http.postJson(url, body);
    }

    @Test
    void webhookRepliesWithTheScriptsStatusHeadersAndBody() {
        var s = deployed("responder", """
                export default async function (event) {
                  console.log("order", event.body.order, "via", event.method, event.path);
                  return new Response(JSON.stringify({ accepted: event.body.order }), {
                    status: 201,
                    headers: { "content-type": "application/json", "x-made-by": "cronhook" },
                  });
                }
                """, Map.of());
        var r = call(s.get("webhookUrl").asString() + "/orders", "{\"order\": 42}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("x-made-by")).hasValue("cronhook");
        assertThat(r.body()).isEqualTo("{\"accepted\":42}");

        String runId = r.headers().firstValue("X-Cronhook-Run-Id").orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/runs/" + runId + "/logs", token)
                .json()
                .get("lines")
                .findValuesAsString("text")
                .contains("order 42 via POST /orders"));
        var run = http.get("/api/runs/" + runId, token).json();
        assertThat(run.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("durationMs").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aThrownErrorIs500AndAnEndlessLoopIs504() {
        var thrower = deployed("thrower", "export default async () => { throw new Error('no luck'); }", Map.of());
        var thrown = call(thrower.get("webhookUrl").asString(), "{}");
        assertThat(thrown.statusCode()).isEqualTo(500);
        assertThat(thrown.body()).contains("no luck").contains("runId");

        var looper = deployed("looper", "export default async () => { for (;;) {} }", Map.of("timeoutSeconds", 2));
        var timedOut = call(looper.get("webhookUrl").asString(), "{}");
        assertThat(timedOut.statusCode()).isEqualTo(504);
        String runId = timedOut.headers().firstValue("X-Cronhook-Run-Id").orElseThrow();
        assertThat(http.get("/api/runs/" + runId, token).json().get("status").asString())
                .isEqualTo("TIMED_OUT");
    }

    @Test
    void aSecretReachesProcessEnvAndIsMaskedInLogsAndResult() {
        String value = "tok-" + java.util.UUID.randomUUID();
        assertThat(http.put("/api/secrets/API_KEY", json(Map.of("value", value)), token)
                        .status())
                .isEqualTo(200);
        var s = deployed("secretive", """
                export default async function () {
                  console.log("the key is", process.env.API_KEY);
                  return { key: process.env.API_KEY, length: process.env.API_KEY.length };
                }
                """, Map.of());
        var r = call(s.get("webhookUrl").asString(), "{}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain(value);
        var result = tools.jackson.databind.json.JsonMapper.builder().build().readTree(r.body());
        assertThat(result.get("key").asString()).isEqualTo("***");
        assertThat(result.get("length").asInt()).isEqualTo(value.length());
        String runId = r.headers().firstValue("X-Cronhook-Run-Id").orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> !http.get("/api/runs/" + runId + "/logs", token)
                .json()
                .get("lines")
                .isEmpty());
        var logs = http.get("/api/runs/" + runId + "/logs", token).text();
        assertThat(logs).contains("the key is ***").doesNotContain(value);
        assertThat(http.get("/api/runs/" + runId, token).text()).doesNotContain(value);
    }

    @Test
    void aRunningScriptCanBeCancelled() {
        var s = deployed(
                "sleeper",
                "export default async () => { await new Promise(r => setTimeout(r, 60000)); return 'woke'; }",
                Map.of("timeoutSeconds", 120));
        var accepted = http.post("/api/scripts/" + s.get("id").asString() + "/runs", json(Map.of()), token);
        assertThat(accepted.status()).isEqualTo(202);
        String url = accepted.json().get("url").asString();
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        http.get(url, token).json().get("status").asString().equals("RUNNING"));
        assertThat(http.post(url + "/cancel", "", token).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        http.get(url, token).json().get("status").asString().equals("CANCELLED"));
    }

    @Test
    void aSyncWebhooksRunGoesToTheExecutorHereWithoutTheQueueIsRecordedAndCanBeCancelled() throws Exception {
        var s = deployed("direct", """
                export default async function (event) {
                  if (event.body.sleep) await new Promise(r => setTimeout(r, event.body.sleep));
                  return { n: event.body.n };
                }
                """, Map.of("timeoutSeconds", 120));
        String url = s.get("webhookUrl").asString();
        call(url, "{\"n\":0}"); // the first call may find the stream not made yet
        long before = RunQueue.appended(platform.redisUrl());

        var r = call(url, "{\"n\":1}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"n\":1}");
        assertThat(RunQueue.appended(platform.redisUrl()))
                .as("no request appended to the run queue")
                .isEqualTo(before);
        String runId = r.headers().firstValue("X-Cronhook-Run-Id").orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/runs/" + runId, token)
                .json()
                .get("status")
                .asString()
                .equals("SUCCEEDED"));

        // an async call goes through the queue
        var queued = call(url + "?async=true", "{\"n\":2}");
        assertThat(queued.statusCode()).isEqualTo(202);
        assertThat(RunQueue.appended(platform.redisUrl())).isEqualTo(before + 1);

        // a direct run hears its cancellation: its caller gets 409
        var slow = java.util.concurrent.CompletableFuture.supplyAsync(() -> call(url, "{\"n\":3,\"sleep\":60000}"));
        var running = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> {
                            var found = http.get(
                                            "/api/runs?status=RUNNING&scriptId="
                                                    + s.get("id").asString(),
                                            token)
                                    .json();
                            return found.isEmpty()
                                    ? null
                                    : found.get(0).get("id").asString();
                        },
                        java.util.Objects::nonNull);
        assertThat(http.post("/api/runs/" + running + "/cancel", "", token).status())
                .isEqualTo(200);
        assertThat(slow.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode())
                .isEqualTo(409);
        assertThat(RunQueue.appended(platform.redisUrl())).isEqualTo(before + 1);
    }

    @Test
    void anOlderVersionIsRolledBackToAndServesAgain() {
        var s = deployed("versions", "export default async () => 'one'", Map.of());
        String id = s.get("id").asString();
        var v2 = http.put(
                "/api/scripts/" + id,
                json(Map.of("name", "versions", "code", "export default async () => 'two'")),
                token);
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        awaitActive(id, 2);
        assertThat(call(s.get("webhookUrl").asString(), "{}").body()).isEqualTo("\"two\"");

        assertThat(http.post("/api/scripts/" + id + "/versions/1/deploy", "", token)
                        .status())
                .isEqualTo(200);
        assertThat(call(s.get("webhookUrl").asString(), "{}").body()).isEqualTo("\"one\"");
        var build = http.get("/api/scripts/" + id + "/versions/1/build", token).json();
        assertThat(build.get("image").asString()).startsWith("127.0.0.1:5000/cronhook/scripts/" + id + "@sha256:");
    }
}

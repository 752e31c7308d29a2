package dev.cronhook.app.editing;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The editing loop on the real parts (issue 21): the builder bakes each version and pushes it to the registry on
 * 127.0.0.1:5000, the executor runs it in Docker, and the api answers what a user of the API would expect.
 */
class EditingLoopIT {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static TestPlatform platform;
    static Http http;
    static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start(
                "api,builder,executor,try-out",
                Map.of(
                        "cronhook.builder.target", "registry",
                        "cronhook.builder.registry", "127.0.0.1:5000",
                        "cronhook.executor.runtime", "docker",
                        "cronhook.webhooks.sync-timeout", "8s"));
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
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    var versions =
                            http.get("/api/scripts/" + id + "/versions", token).json();
                    for (var v : versions) {
                        if (v.get("buildState").asString().equals("FAILED")) throw new AssertionError("build failed");
                    }
                    return http.get("/api/scripts/" + id, token)
                                    .json()
                                    .path("activeVersion")
                                    .asInt(0)
                            == 1;
                });
        return r.json();
    }

    static HttpResponse<String> call(String url, String body) {
        return Http.postJson(url, body);
    }

    @Test
    void theTryOutNamesItsBlankImageBuiltInTheRegistryForExecutorsInOtherProcesses() {
        var client = io.lettuce.core.RedisClient.create(platform.redisUrl());
        try (var c = client.connect()) {
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> c.sync().get(dev.cronhook.core.queue.redis.Streams.BLANK_IMAGE) != null);
            assertThat(c.sync().get(dev.cronhook.core.queue.redis.Streams.BLANK_IMAGE))
                    .startsWith("127.0.0.1:5000/");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void anOversizedResultAnswers502WithAProblemDocumentAndFailsTheRun() {
        var s = deployed("too-big", """
                export default async function (event) {
                  if (event.body.reply) return new Response("y".repeat(2 * 1024 * 1024));
                  return "x".repeat(2 * 1024 * 1024);
                }
                """, Map.of());

        var result = call(s.get("webhookUrl").asString(), "{}");
        assertThat(result.statusCode()).isEqualTo(502);
        assertThat(result.headers().firstValue("content-type")).hasValue("application/problem+json");
        var problem = JSON.readTree(result.body());
        assertThat(problem.get("status").asInt()).isEqualTo(502);
        assertThat(problem.get("detail").asString()).isEqualTo("result too large: 2097154 bytes, limit 1048576");
        String runId = result.headers().firstValue("X-Cronhook-Run-Id").orElseThrow();
        assertThat(problem.get("runId").asString()).isEqualTo(runId);
        var run = http.get("/api/runs/" + runId, token).json();
        assertThat(run.get("status").asString()).isEqualTo("FAILED");
        assertThat(run.get("error").asString()).isEqualTo("result too large: 2097154 bytes, limit 1048576");

        var reply = call(s.get("webhookUrl").asString(), "{\"reply\":true}");
        assertThat(reply.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(reply.body()).get("detail").asString())
                .isEqualTo("result too large: 2097152 bytes, limit 1048576");
    }

    @Test
    void theAnswerPastTheSyncLimitGivesTheRunsRealState() {
        var s = deployed("slow", """
                export default async function () {
                  await new Promise((resolve) => setTimeout(resolve, 20000));
                  return "late";
                }
                """, Map.of("timeoutSeconds", 60));

        var r = call(s.get("webhookUrl").asString(), "{}");
        assertThat(r.statusCode()).isEqualTo(202);
        var body = JSON.readTree(r.body());
        assertThat(body.get("status").asString()).isEqualTo("RUNNING");
        String location = r.headers().firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(60)).until(() -> http.get(location, token)
                .json()
                .get("status")
                .asString()
                .equals("SUCCEEDED"));
    }

    @Test
    void codeWithASyntaxErrorIsRefusedOnSaveAndOnTryOutWithItsLineAndColumn() {
        String code = "export default async function () {\n  let a = 1;\n  return a x;\n}\n";
        var saved = http.post("/api/scripts", json(Map.of("name", "typo", "code", code)), token);
        assertThat(saved.status()).as(saved.toString()).isEqualTo(400);
        var error = saved.json().get("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo("code");
        assertThat(error.get("line").asInt()).isEqualTo(3);
        assertThat(error.get("column").asInt()).isEqualTo(12);
        assertThat(error.get("message").asString()).startsWith("syntax error at line 3, column 12: ");
        assertThat(http.get("/api/scripts", token).json().findValuesAsString("name"))
                .doesNotContain("typo");

        var tried = http.post("/api/try-out", json(Map.of("code", code)), token);
        assertThat(tried.status()).as(tried.toString()).isEqualTo(400);
        assertThat(tried.json().get("errors").get(0).get("line").asInt()).isEqualTo(3);
        assertThat(tried.json().get("errors").get(0).get("column").asInt()).isEqualTo(12);

        // modern syntax the parser's compiler does not support is not an error
        var modern = http.post("/api/try-out", json(Map.of("code", """
                class Counter { #n = 0; static { } next() { return ++this.#n; } }
                const first = await Promise.resolve(new Counter().next());
                export default async () => ({ first, big: String(2n ** 64n) });
                """)), token);
        assertThat(modern.status()).as(modern.toString()).isEqualTo(200);
        assertThat(modern.json().get("result").get("first").asInt()).isEqualTo(1);
    }

    @Test
    void aLoadErrorNamesTheLineAndColumnInTheUsersFileWithoutHarnessFramesOrHostPaths() {
        String code = "const settings = null;\nconst region = settings.region;\nexport default async () => region;\n";
        var s = deployed("broken-at-load", code, Map.of());
        var r = call(s.get("webhookUrl").asString(), "{}");
        assertThat(r.statusCode()).isEqualTo(500);
        String expected = "script failed to load: TypeError: Cannot read properties of null (reading 'region')"
                + " (script.mjs, line 2, column 25)";
        assertThat(JSON.readTree(r.body()).get("error").asString()).isEqualTo(expected);
        String runId = r.headers().firstValue("X-Cronhook-Run-Id").orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> !http.get("/api/runs/" + runId + "/logs", token)
                .json()
                .get("lines")
                .isEmpty());
        var logs = String.join(
                "\n",
                http.get("/api/runs/" + runId + "/logs", token)
                        .json()
                        .get("lines")
                        .findValuesAsString("text"));
        assertThat(logs)
                .contains("at script.mjs:2:25")
                .doesNotContain("harness")
                .doesNotContain("node:internal");

        var tried = http.post("/api/try-out", json(Map.of("code", code)), token);
        assertThat(tried.status()).as(tried.toString()).isEqualTo(200);
        assertThat(tried.json().get("status").asString()).isEqualTo("FAILED");
        assertThat(tried.json().get("error").asString()).isEqualTo(expected);
        var tryOutLogs = String.join("\n", tried.json().get("logs").findValuesAsString("text"));
        assertThat(tryOutLogs)
                .contains("at script.mjs:2:25")
                .doesNotContain("harness")
                .doesNotContain("/tmp")
                .doesNotContain(platform.home().toString());
    }

    @Test
    void theNewScriptTemplateAndTheWebhookStartingPointAnswerWithTheirResponse() {
        var template = deployed("template", dev.cronhook.web.script.StartingPoints.TEMPLATE, Map.of());
        var r = call(template.get("webhookUrl").asString(), "{\"hi\": 1}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(JSON.readTree(r.body()).get("received").get("hi").asInt()).isEqualTo(1);

        var webhook = dev.cronhook.web.script.StartingPoints.ALL.stream()
                .filter(p -> p.key().equals("webhook"))
                .findFirst()
                .orElseThrow();
        var s = deployed("starting-point", webhook.code(), Map.of());
        var reply = call(s.get("webhookUrl").asString(), "{\"name\": \"Ada\"}");
        assertThat(reply.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(reply.body()).get("greeting").asString()).isEqualTo("hello, Ada");
        assertThat(reply.headers().firstValue("x-run-id"))
                .isEqualTo(reply.headers().firstValue("X-Cronhook-Run-Id"));
        // every starting point parses
        for (var p : dev.cronhook.web.script.StartingPoints.ALL) {
            var tried = http.post("/api/try-out", json(Map.of("code", p.code())), token);
            assertThat(tried.status()).as(p.key() + ": " + tried).isEqualTo(200);
        }
    }
}

package dev.cronhook.app.python;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.builder.pip.TestPackageIndex;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Python scripts on the real path: the builder resolves the requirement from a package index this test serves on
 * 127.0.0.1 (wheels it writes itself), bakes the script into an image on this host's python3 in the registry on
 * 127.0.0.1:5000, and the executor runs it in Docker.
 */
class PythonScriptIT {
    private static TestPlatform platform;
    private static TestPackageIndex index;
    private static String token;

    @BeforeAll
    static void start() {
        index = new TestPackageIndex()
                .publish("tinybase", "1.2.0", "X = 2\n")
                .publish(
                        "tiny-greet",
                        "1.0.0",
                        "import tinybase\ndef greet(n):\n    return 'hello ' + n + ' ' + str(tinybase.X)\n",
                        "tinybase>=1.1");
        platform = TestPlatform.start(
                "api,builder,executor,try-out,scheduler",
                Map.of(
                        "cronhook.builder.target", "registry",
                        "cronhook.builder.registry", "127.0.0.1:5000",
                        "cronhook.builder.pip-index-url", index.url(),
                        "cronhook.executor.runtime", "docker",
                        "cronhook.webhooks.sync-timeout", "20s"));
        token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
        if (index != null) index.close();
    }

    private UUID create(Map<String, Object> fields) {
        var body = new LinkedHashMap<String, Object>(fields);
        body.putIfAbsent("name", "py-" + UUID.randomUUID().toString().substring(0, 8));
        body.put("language", "python");
        var created = platform.http.post("/api/scripts", json(body), token);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("language").asString()).isEqualTo("python");
        return UUID.fromString(created.json().get("id").asString());
    }

    private String hookOf(UUID id) {
        return URI.create(platform.http
                        .get("/api/scripts/" + id, token)
                        .json()
                        .get("webhookUrl")
                        .asString())
                .getPath();
    }

    private JsonNode finishedRun(String runId) {
        String url = "/api/runs/" + runId;
        await().atMost(Duration.ofSeconds(60)).until(() -> !platform.http
                .get(url, token)
                .json()
                .path("status")
                .asString()
                .matches("QUEUED|RUNNING"));
        return platform.http.get(url, token).json();
    }

    @Test
    void aPythonScriptWithARequirementAnswersItsWebhookWithItsStatusLogsAndAMaskedSecret() {
        UUID id = create(Map.of("requirements", Map.of("tiny-greet", ">=1.0"), "code", """
                import logging, os, sys
                import tiny_greet
                from cronhook import Response

                def handler(event, ctx):
                    secret = os.environ["PY_SECRET"]
                    print("printed", tiny_greet.greet(event["query"].get("who", "?")))
                    logging.warning("secret is %s", secret)
                    print("to stderr", file=sys.stderr)
                    return Response({"greeting": tiny_greet.greet("py"), "secret": secret, "trigger": ctx["trigger"]},
                                    status=202, headers={"X-Made-By": "python"})
                """));
        String unique = "py-secret-" + UUID.randomUUID();
        var put = platform.http.put("/api/scripts/" + id + "/secrets/PY_SECRET", json(Map.of("value", unique)), token);
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        platform.awaitActive(id, 1, token, Duration.ofMinutes(3));

        var reply = platform.http.post(hookOf(id) + "?who=you", "{}", null);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
        assertThat(reply.header("X-Made-By")).isEqualTo("python");
        assertThat(reply.json().get("greeting").asString()).isEqualTo("hello py 2");
        assertThat(reply.json().get("secret").asString()).isEqualTo("***");
        assertThat(reply.json().get("trigger").asString()).isEqualTo("webhook");
        var run = finishedRun(reply.header("X-Cronhook-Run-Id"));
        assertThat(run.get("status").asString()).isEqualTo("SUCCEEDED");
        var logs = platform.http.get("/api/runs/" + reply.header("X-Cronhook-Run-Id") + "/logs", token);
        assertThat(logs.text()).doesNotContain(unique);
        assertThat(logs.json().get("lines").findValuesAsString("text"))
                .contains("printed hello you 2", "WARNING:root:secret is ***", "to stderr");
        var versions = platform.http.get("/api/scripts/" + id + "/versions", token);
        assertThat(versions.text()).contains("tiny_greet==1.0.0 --hash=sha256:", "tinybase==1.2.0 --hash=sha256:");
    }

    @Test
    void aPythonScriptPastItsTimeoutIsTimedOutAndOnePastItsMemoryFails() {
        UUID slow = create(Map.of(
                "timeoutSeconds",
                2,
                "code",
                "def handler(event, ctx):\n    print('looping')\n    while True:\n        pass\n"));
        UUID greedy = create(
                Map.of(
                        "memoryMb",
                        64,
                        "code",
                        "import time\n\ndef handler(event, ctx):\n"
                                + "    kept = [bytearray(16 << 20) for _ in range(25)]\n    time.sleep(10)\n    return len(kept)\n"));
        platform.awaitActive(slow, 1, token, Duration.ofMinutes(3));
        platform.awaitActive(greedy, 1, token, Duration.ofMinutes(3));

        var timedOut = finishedRun(platform.http.post(hookOf(slow), "{}", null).header("X-Cronhook-Run-Id"));
        var outOfMemory =
                finishedRun(platform.http.post(hookOf(greedy), "{}", null).header("X-Cronhook-Run-Id"));

        assertThat(timedOut.get("status").asString()).isEqualTo("TIMED_OUT");
        assertThat(outOfMemory.get("status").asString()).isEqualTo("FAILED");
        assertThat(outOfMemory.get("error").asString()).isEqualTo("memory limit exceeded");
    }

    @Test
    void aPythonScriptRunsOnItsCronScheduleAndWhenRunByHand() {
        UUID id = create(Map.of(
                "webhook",
                false,
                "cron",
                Map.of("expression", "* * * * *", "timezone", "UTC"),
                "code",
                "async def handler(event, ctx):\n    print('tick', ctx['trigger'])\n    return ctx['trigger']\n"));
        platform.awaitActive(id, 1, token, Duration.ofMinutes(3));

        var manual = platform.http.post("/api/scripts/" + id + "/runs", json(Map.of("event", Map.of("n", 1))), token);
        assertThat(manual.status()).as(manual.toString()).isEqualTo(202);
        var byHand = finishedRun(manual.json().get("id").asString());
        assertThat(byHand.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(byHand.toString()).contains("\"manual\"");

        // the next minute's tick
        await().atMost(Duration.ofSeconds(130))
                .until(() -> platform.http
                                .get("/api/runs?scriptId=" + id + "&trigger=cron&status=SUCCEEDED", token)
                                .json()
                                .size()
                        > 0);
        var cron = platform.http
                .get("/api/runs?scriptId=" + id + "&trigger=cron&status=SUCCEEDED", token)
                .json()
                .get(0);
        assertThat(cron.toString()).contains("\"cron\"");
    }

    @Test
    void aPythonScriptIsTriedOutUnsavedInASandboxWithItsRequirement() {
        var r = platform.http.post(
                "/api/try-out",
                json(Map.of(
                        "language",
                        "python",
                        "code",
                        """
                        import os, tiny_greet

                        async def handler(event, ctx):
                            print("trying", ctx["trigger"])
                            return {"greeting": tiny_greet.greet(event["body"]["who"]), "uid": os.getuid(),
                                    "trigger": event["trigger"]}
                        """,
                        "requirements",
                        Map.of("tiny-greet", ">=1.0"),
                        "event",
                        Map.of("body", Map.of("who", "tester")))),
                token);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        var result = r.json();
        assertThat(result.get("status").asString()).as(r.toString()).isEqualTo("SUCCEEDED");
        assertThat(result.at("/result/greeting").asString()).isEqualTo("hello tester 2");
        assertThat(result.at("/result/uid").asInt()).as("not root").isEqualTo(65532);
        assertThat(result.at("/result/trigger").asString()).isEqualTo("try-out");
        assertThat(result.get("logs").findValuesAsString("text")).contains("trying try-out");
        assertThat(platform.http.get("/api/scripts", token).text()).doesNotContain("trying");
    }

    @Test
    void aRequirementThatIsNotANameAndSpecifierIsRefusedOnSave() {
        var refused = platform.http.post(
                "/api/scripts",
                json(Map.of(
                        "name", "py-bad",
                        "language", "python",
                        "code", "def handler(event, ctx):\n    return 1\n",
                        "requirements", Map.of("tiny-greet", ">=1\n--index-url http://evil.example/"))),
                token);
        var unknown =
                platform.http.post("/api/scripts", json(Map.of("name", "rb", "language", "ruby", "code", "x")), token);

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.text()).contains("requirements.tiny-greet");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.text()).contains("must be one of node, python");
    }
}

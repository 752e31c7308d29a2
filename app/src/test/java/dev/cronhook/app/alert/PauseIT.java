package dev.cronhook.app.alert;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.AlertReceiver;
import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.run.RunStatus;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Pause and resume against the real application, PostgreSQL and Redis (scheduler and api roles). No executor runs:
 * a test reports run ends on the results stream as an executor would.
 */
class PauseIT {
    static TestPlatform platform;
    static Http http;
    static String token;
    static AlertReceiver receiver;

    @BeforeAll
    static void start() {
        receiver = new AlertReceiver();
        // the test's receiver is on 127.0.0.1: the operator setting that lets alerts reach it
        platform = TestPlatform.start("scheduler", Map.of("cronhook.egress.allow-private", "127.0.0.1/32"));
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        Alerts.token = token;
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
        if (receiver != null) receiver.close();
    }

    @Test
    void aPausedScriptsWebhookAnswers409ItsTicksAreSkippedAndManualRunsStillWork() {
        var id = Alerts.deployedScript(
                platform, "pausable", Map.of("expression", "* * * * * *", "timezone", "UTC", "overlapPolicy", "allow"));
        Alerts.awaitRuns(platform, id, r -> !r.isEmpty());
        var webhookUrl =
                http.get("/api/scripts/" + id, token).json().get("webhookUrl").asString();

        var paused = http.post("/api/scripts/" + id + "/pause", "", token);
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.json().get("paused").asBoolean()).isTrue();
        assertThat(paused.json().get("pausedAt").isNull()).isFalse();
        // pausing twice is the same
        assertThat(http.post("/api/scripts/" + id + "/pause", "", token).status())
                .isEqualTo(200);

        var hook = http.send(
                "POST", webhookUrl.substring(http.base().length()) + "?async=true", "application/json", "{}", null);
        assertThat(hook.status()).isEqualTo(409);
        assertThat(hook.contentType()).startsWith("application/problem+json");
        assertThat(hook.json().get("detail").asString()).contains("paused");

        // ticks go by: recorded as skipped, no run
        int before = Alerts.runs(platform, id).size();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> http.get("/api/scripts/" + id, token)
                                .json()
                                .get("cron")
                                .get("skippedTicks")
                                .asInt()
                        >= 3);
        assertThat(Alerts.runs(platform, id).stream()
                        .filter(r -> r.get("trigger").asString().equals("cron")))
                .hasSizeLessThanOrEqualTo(before);

        var manual = http.post("/api/scripts/" + id + "/runs", json(Map.of("event", Map.of())), token);
        assertThat(manual.status()).as("a manual run of a paused script").isEqualTo(202);

        var resumed = http.post("/api/scripts/" + id + "/resume", "", token);
        assertThat(resumed.status()).isEqualTo(200);
        assertThat(resumed.json().get("paused").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.send(
                                        "POST",
                                        webhookUrl.substring(http.base().length()) + "?async=true",
                                        "application/json",
                                        "{}",
                                        null)
                                .status()
                        == 202);
        int cronBefore = cronRuns(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> cronRuns(id) > cronBefore);
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void pauseAndResumeOfAnUnknownScriptAre404() {
        var unknown = UUID.randomUUID();
        assertThat(http.post("/api/scripts/" + unknown + "/pause", "", token).status())
                .isEqualTo(404);
        assertThat(http.post("/api/scripts/" + unknown + "/resume", "", token).status())
                .isEqualTo(404);
        assertThat(http.post("/api/scripts/not-a-uuid/pause", "", token).status())
                .isEqualTo(400);
    }

    @Test
    void aScriptPausesItselfAfterNFailuresInARowAndTheAlertSaysSo() {
        var id = Alerts.deployedScript(platform, "self-pausing", null);
        var channel = Alerts.webhookChannel(http, receiver.url("/pause"), "a-signing-secret-of-16+", id);
        var rules = http.put(
                "/api/scripts/" + id + "/alerts",
                json(Map.of("consecutiveFailures", 3, "pauseAfterConsecutiveFailures", 3)),
                token);
        assertThat(rules.status()).as(rules.toString()).isEqualTo(200);
        assertThat(rules.json().get("pauseAfterConsecutiveFailures").asInt()).isEqualTo(3);

        for (int i = 1; i <= 3; i++) {
            var run = Alerts.manualRun(platform, id);
            Alerts.report(platform, run, RunStatus.FAILED);
            if (i < 3) {
                int n = i;
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> Alerts.incidents(platform, id).size() == 1
                                && Alerts.incidents(platform, id)
                                                .getFirst()
                                                .get("failures")
                                                .asInt()
                                        == n);
                assertThat(http.get("/api/scripts/" + id, token)
                                .json()
                                .get("paused")
                                .asBoolean())
                        .isFalse();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/api/scripts/" + id, token)
                .json()
                .get("paused")
                .asBoolean());
        var script = http.get("/api/scripts/" + id, token).json();
        assertThat(script.get("pausedReason").asString()).contains("3 failed runs in a row");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.received("/pause").size() == 1);
        JsonNode alert = Alerts.body(receiver.received("/pause").getFirst());
        assertThat(alert.get("event").asString()).isEqualTo("incident.opened");
        assertThat(alert.get("paused").asBoolean()).isTrue();
        assertThat(alert.get("pausedAfterConsecutiveFailures").asInt()).isEqualTo(3);
        assertThat(alert.get("text").asString()).contains("paused after 3 failed runs in a row");

        // paused, so its webhook refuses; resuming by hand opens it again
        var webhookUrl = script.get("webhookUrl").asString();
        assertThat(http.send("POST", webhookUrl.substring(http.base().length()), "application/json", "{}", null)
                        .status())
                .isEqualTo(409);
        assertThat(http.post("/api/scripts/" + id + "/resume", "", token)
                        .json()
                        .get("paused")
                        .asBoolean())
                .isFalse();
        http.delete("/api/alerts/channels/" + channel, token);
        http.delete("/api/scripts/" + id, token);
    }

    private int cronRuns(String id) {
        return (int) Alerts.runs(platform, id).stream()
                .filter(r -> r.get("trigger").asString().equals("cron"))
                .count();
    }
}

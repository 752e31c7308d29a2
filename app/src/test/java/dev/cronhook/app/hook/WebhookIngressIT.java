package dev.cronhook.app.hook;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.api.hook.SignatureVerifier;
import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.app.testing.WireExecutor;
import dev.cronhook.core.run.HttpReply;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The webhook ingress over HTTP against the running application, with runs answered over the real Redis
 * streams by {@link WireExecutor}: replies, async mode and its fallback, error statuses, signatures,
 * idempotency, rate limits. (WebhookEndToEndIT runs real scripts.)
 */
class WebhookIngressIT {
    static TestPlatform platform;
    static Http http;
    static String token;
    static WireExecutor executor;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void start() {
        platform = TestPlatform.start(
                "api",
                Map.of(
                        "cronhook.webhooks.sync-timeout", "2s",
                        "cronhook.webhooks.rate-limit-per-second", "5",
                        "cronhook.webhooks.max-body-size", "64KB"));
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        // the event's body.mode tells this stand-in how the "script" ends
        executor = new WireExecutor(platform.redisUrl(), r -> {
            var event = JSON.readTree(r.eventJson());
            String mode = event.path("body").path("mode").asString("echo");
            var now = Instant.now();
            return switch (mode) {
                case "reply" ->
                    new RunResult(
                            r.runId(),
                            RunStatus.SUCCEEDED,
                            null,
                            new HttpReply(
                                    201,
                                    Map.of("X-Custom", List.of("yes"), "Content-Type", List.of("text/plain")),
                                    "made it",
                                    false),
                            null,
                            now,
                            now);
                case "throw" -> new RunResult(r.runId(), RunStatus.FAILED, null, null, "Error: boom", now, now);
                case "timeout" ->
                    new RunResult(r.runId(), RunStatus.TIMED_OUT, null, null, "timed out after 10 s", now, now);
                case "slow" -> {
                    sleep(3000);
                    yield WireExecutor.succeeded(r, "\"late\"");
                }
                default -> WireExecutor.succeeded(r, r.eventJson());
            };
        });
    }

    @AfterAll
    static void stop() {
        if (executor != null) executor.close();
        if (platform != null) platform.close();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Creates a script and reports its build READY, as a builder would; returns [id, webhookUrl]. */
    static String[] deployedScript(String name) {
        var r = http.post(
                "/api/scripts", json(Map.of("name", name, "code", "export default async (event) => event")), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String id = r.json().get("id").asString();
        platform.deploy(UUID.fromString(id), 1, token);
        return new String[] {id, r.json().get("webhookUrl").asString()};
    }

    static HttpResponse<String> call(
            String url, String method, String contentType, String body, Map<String, String> headers) {
        try {
            var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            if (contentType != null) b.header("Content-Type", contentType);
            headers.forEach(b::header);
            b.method(
                    method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void syncCallGetsTheResultAndTheScriptSeesTheWholeRequest() {
        var s = deployedScript("echo");
        var r = call(
                s[1] + "/orders/7?x=1&y=2&y=3",
                "POST",
                "application/json",
                "{\"mode\":\"echo\",\"n\":5}",
                Map.of("X-Test", "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cronhook-Run-Id")).isPresent();
        var event = JSON.readTree(r.body());
        assertThat(event.get("trigger").asString()).isEqualTo("webhook");
        assertThat(event.get("method").asString()).isEqualTo("POST");
        assertThat(event.get("path").asString()).isEqualTo("/orders/7");
        assertThat(event.get("query").get("x").asString()).isEqualTo("1");
        assertThat(event.get("query").get("y")).hasSize(2);
        assertThat(event.get("headers").get("x-test").asString()).isEqualTo("hi");
        assertThat(event.get("body").get("n").asInt()).isEqualTo(5);
        assertThat(event.get("rawBody").asString()).isEqualTo("{\"mode\":\"echo\",\"n\":5}");

        var run = http.get(
                        "/api/runs/"
                                + r.headers().firstValue("X-Cronhook-Run-Id").orElseThrow(),
                        token)
                .json();
        assertThat(run.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("trigger").asString()).isEqualTo("webhook");
    }

    @Test
    void scriptsResponseControlsStatusHeadersAndBody() {
        var s = deployedScript("replier");
        var r = call(s[1], "POST", "application/json", "{\"mode\":\"reply\"}", Map.of());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("X-Custom")).hasValue("yes");
        assertThat(r.body()).isEqualTo("made it");
    }

    @Test
    void aThrowingScriptIs500AndATimeoutIs504WithTheRunId() {
        var s = deployedScript("failing");
        var thrown = call(s[1], "POST", "application/json", "{\"mode\":\"throw\"}", Map.of());
        assertThat(thrown.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(thrown.body()).get("error").asString()).isEqualTo("Error: boom");
        assertThat(JSON.readTree(thrown.body()).has("runId")).isTrue();
        assertThat(thrown.body()).doesNotContain("at ").doesNotContain("Exception");
        var timedOut = call(s[1], "POST", "application/json", "{\"mode\":\"timeout\"}", Map.of());
        assertThat(timedOut.statusCode()).isEqualTo(504);
    }

    @Test
    void aRunOverTheSyncLimitAnswers202WithTheRunUrlAndGoesOn() {
        var s = deployedScript("slowpoke");
        var r = call(s[1], "POST", "application/json", "{\"mode\":\"slow\"}", Map.of());
        assertThat(r.statusCode()).isEqualTo(202);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("/api/runs/");
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get(location, token)
                .json()
                .get("status")
                .asString()
                .equals("SUCCEEDED"));
        assertThat(http.get(location, token).json().get("result").asString()).isEqualTo("late");
    }

    @Test
    void asyncModeAnswers202AtOnce() {
        var s = deployedScript("async");
        var byQuery = call(s[1] + "?async=true", "POST", "application/json", "{\"mode\":\"echo\"}", Map.of());
        assertThat(byQuery.statusCode()).isEqualTo(202);
        var byHeader = call(s[1], "POST", "application/json", "{\"mode\":\"echo\"}", Map.of("Prefer", "respond-async"));
        assertThat(byHeader.statusCode()).isEqualTo(202);
        String location = byHeader.headers().firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get(location, token)
                .json()
                .get("status")
                .asString()
                .equals("SUCCEEDED"));
    }

    @Test
    void unknownDeletedOrDisabledWebhooksAre404() {
        assertThat(call(platform.baseUrl() + "/hooks/nope", "GET", null, null, Map.of())
                        .statusCode())
                .isEqualTo(404);
        var s = deployedScript("doomed");
        assertThat(http.delete("/api/scripts/" + s[0], token).status()).isEqualTo(204);
        assertThat(call(s[1], "GET", null, null, Map.of()).statusCode()).isEqualTo(404);

        var off = deployedScript("switched-off");
        var body = Map.of("name", "switched-off", "code", "export default async (event) => event", "webhook", false);
        assertThat(http.put("/api/scripts/" + off[0], json(body), token).status())
                .isEqualTo(200);
        assertThat(call(off[1], "POST", null, null, Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void aBodyOverTheLimitIs413AndStartsNoRun() {
        var s = deployedScript("big-body");
        int before = executor.received.size();
        var r = call(s[1], "POST", "text/plain", "x".repeat(65 * 1024), Map.of());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(http.get("/api/runs?scriptId=" + s[0], token).json()).isEmpty();
        assertThat(executor.received.size()).isEqualTo(before);
    }

    @Test
    void callsOverTheRateLimitAre429WithRetryAfter() {
        var s = deployedScript("popular");
        HttpResponse<String> limited = null;
        for (int i = 0; i < 20 && limited == null; i++) {
            var r = call(s[1] + "?async=true", "POST", "application/json", "{}", Map.of());
            if (r.statusCode() == 429) limited = r;
        }
        assertThat(limited).as("one of 20 quick calls is over 5/s").isNotNull();
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void concurrentCallsCountedTogetherStillKeepToTheRateLimit() throws Exception {
        // calls that arrive together are counted in one batch: the batch must let in no more than the limit
        var s = deployedScript("stampede");
        int calls = 30;
        long firstSecond = Instant.now().getEpochSecond();
        List<HttpResponse<String>> replies;
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(calls)) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<HttpResponse<String>>>();
            for (int i = 0; i < calls; i++) {
                futures.add(pool.submit(() -> call(s[1] + "?async=true", "POST", "application/json", "{}", Map.of())));
            }
            replies = new java.util.ArrayList<>();
            for (var f : futures) replies.add(f.get());
        }
        long seconds = Instant.now().getEpochSecond() - firstSecond + 1;

        long accepted = replies.stream().filter(r -> r.statusCode() == 202).count();
        long limited = replies.stream().filter(r -> r.statusCode() == 429).count();
        assertThat(accepted + limited).as("every call is accepted or limited").isEqualTo(calls);
        assertThat(accepted)
                .as("at most 5 per second over %d second(s)", seconds)
                .isBetween(1L, 5 * seconds);
        assertThat(limited).isPositive();
        assertThat(http.get("/api/runs?scriptId=" + s[0], token).json())
                .as("a run for every accepted call, none for a limited one")
                .hasSize((int) accepted);
    }

    @Test
    void aSignedWebhookRefusesABadSignatureAndAcceptsAGoodOne() {
        var s = deployedScript("signed");
        String secret = "a-shared-secret-of-github";
        var on = http.put("/api/scripts/" + s[0] + "/webhook/signature", json(Map.of("secret", secret)), token);
        assertThat(on.status()).isEqualTo(200);
        assertThat(on.text()).doesNotContain(secret);
        String body = "{\"mode\":\"echo\",\"action\":\"opened\"}";

        var unsigned = call(s[1], "POST", "application/json", body, Map.of());
        assertThat(unsigned.statusCode()).isEqualTo(401);
        var forged = call(
                s[1],
                "POST",
                "application/json",
                body,
                Map.of(
                        "X-Hub-Signature-256",
                        SignatureVerifier.sign("wrong-secret-000000", body.getBytes(StandardCharsets.UTF_8))));
        assertThat(forged.statusCode()).isEqualTo(401);
        var good = call(
                s[1],
                "POST",
                "application/json",
                body,
                Map.of("X-Hub-Signature-256", SignatureVerifier.sign(secret, body.getBytes(StandardCharsets.UTF_8))));
        assertThat(good.statusCode()).isEqualTo(200);
    }

    @Test
    void aRepeatedIdempotencyKeyReplaysTheFirstReplyWithoutRunningAgain() {
        var s = deployedScript("idempotent");
        var first = call(
                s[1], "POST", "application/json", "{\"mode\":\"echo\",\"n\":1}", Map.of("Idempotency-Key", "order-42"));
        var second = call(
                s[1], "POST", "application/json", "{\"mode\":\"echo\",\"n\":2}", Map.of("Idempotency-Key", "order-42"));
        assertThat(second.statusCode()).isEqualTo(first.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.headers().firstValue("X-Cronhook-Run-Id"))
                .isEqualTo(first.headers().firstValue("X-Cronhook-Run-Id"));
        assertThat(http.get("/api/runs?scriptId=" + s[0], token).json()).hasSize(1);
    }

    @Test
    void anIdempotencyKeyWhoseCallWasRefusedIsFreeForTheRetryWhichGetsARunOfItsOwn() {
        // found by the chaos test: a call refused after its key was claimed (here 429, there a 503 while Redis
        // restarted) left the key naming a run that was never recorded, and the retry was answered 202 with it
        var s = deployedScript("refused-then-retried");
        HttpResponse<String> refused = null;
        String key = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            key = "order-" + i;
            var r = call(s[1] + "?async=true", "POST", "application/json", "{}", Map.of("Idempotency-Key", key));
            if (r.statusCode() == 429) refused = r;
        }
        assertThat(refused).as("one of 20 quick calls is over 5/s").isNotNull();
        assertThat(refused.headers().firstValue("X-Cronhook-Run-Id")).isEmpty();

        HttpResponse<String> retried;
        do {
            sleep(1000);
            retried = call(s[1] + "?async=true", "POST", "application/json", "{}", Map.of("Idempotency-Key", key));
        } while (retried.statusCode() == 429);
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
        String runId = retried.headers().firstValue("X-Cronhook-Run-Id").orElseThrow();
        assertThat(http.get("/api/runs/" + runId, token).status())
                .as("the run the retry was answered with exists")
                .isEqualTo(200);

        var again = call(s[1] + "?async=true", "POST", "application/json", "{}", Map.of("Idempotency-Key", key));
        assertThat(again.headers().firstValue("X-Cronhook-Run-Id"))
                .as("then the key names it")
                .hasValue(runId);
    }

    @Test
    void aManualRunIsAcceptedWithItsUrlAndCanBeCancelledWhileQueued() {
        var s = deployedScript("manual");
        var r = http.post(
                "/api/scripts/" + s[0] + "/runs", json(Map.of("event", Map.of("body", Map.of("mode", "echo")))), token);
        assertThat(r.status()).isEqualTo(202);
        String url = r.json().get("url").asString();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        http.get(url, token).json().get("status").asString().equals("SUCCEEDED"));
        assertThat(http.post(url + "/cancel", "", token).status())
                .as("an ended run")
                .isEqualTo(409);
    }
}

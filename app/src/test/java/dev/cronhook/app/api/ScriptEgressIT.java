package dev.cronhook.app.api;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.tryout.TryOutEvent;
import dev.cronhook.core.tryout.TryOutRequest;
import dev.cronhook.core.tryout.redis.RedisTryOutChannel;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * A script's egress allow-list as a setting, over HTTP against the running api (and scheduler) on a real PostgreSQL and
 * Redis: saved,
 * shown and changed like the limits, refused entry by entry, and carried by the requests that reach the executors and
 * the try-out workers (read off their Redis streams; no executor or try-out worker runs here, so what the sandbox
 * does with it is the executor's tests').
 */
class ScriptEgressIT {
    static TestPlatform platform;
    static Http http;
    static String admin;
    static RedisClient redis;
    static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api,scheduler", Map.of());
        http = platform.http;
        admin = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        redis = RedisClient.create(platform.redisUrl());
        connection = redis.connect();
    }

    @AfterAll
    static void stop() {
        if (connection != null) connection.close();
        if (redis != null) redis.shutdown();
        if (platform != null) platform.close();
    }

    static Map<String, Object> script(String name, List<String> allow) {
        var body = new HashMap<String, Object>();
        body.put("name", name);
        body.put("code", "export default async function (event, ctx) { return {hello: 'world'}; }");
        body.put("webhook", true);
        body.put("timeoutSeconds", 10);
        if (allow != null) body.put("egress", Map.of("allow", allow));
        return body;
    }

    static String newUser(String name) {
        var r = http.post("/api/users", json(Map.of("username", name, "password", "password-" + name)), admin);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return http.login(name, "password-" + name);
    }

    static JsonNode create(String token, Map<String, Object> body) {
        var r = http.post("/api/scripts", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    static List<String> allowOf(JsonNode script) {
        var out = new ArrayList<String>();
        script.get("egress").get("allow").forEach(n -> out.add(n.asString()));
        return out;
    }

    @Test
    void anAllowListIsSavedNormalizedReadBackAndChangedWithoutANewVersion() {
        var token = newUser("egress-crud");
        var created = create(
                token,
                script(
                        "reaching-out",
                        List.of("API.GitHub.com", " *.slack.com ", "hooks.example.com:8443", "api.github.com")));
        String id = created.get("id").asString();
        assertThat(allowOf(created)).containsExactly("api.github.com", "*.slack.com", "hooks.example.com:8443");
        assertThat(allowOf(http.get("/api/scripts/" + id, token).json()))
                .containsExactly("api.github.com", "*.slack.com", "hooks.example.com:8443");
        assertThat(allowOf(http.get("/api/scripts", token).json().get(0)))
                .containsExactly("api.github.com", "*.slack.com", "hooks.example.com:8443");

        var changed = http.put("/api/scripts/" + id, json(script("reaching-out", List.of("*:*"))), token);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(allowOf(changed.json())).containsExactly("*:*");
        assertThat(changed.json().get("version").asInt())
                .as("an allow-list is a setting: no new version")
                .isEqualTo(1);
        assertThat(http.get("/api/scripts/" + id + "/versions", token).json()).hasSize(1);
        assertThat(buildRequests(id)).as("and no build").isEqualTo(1);

        var omitted = http.put("/api/scripts/" + id, json(script("reaching-out", null)), token);
        assertThat(omitted.status()).as(omitted.toString()).isEqualTo(200);
        assertThat(allowOf(omitted.json()))
                .as("PUT replaces the script: an omitted allow-list is no network")
                .isEmpty();
        assertThat(allowOf(create(token, script("offline", null))))
                .as("no network unless asked for")
                .isEmpty();
    }

    static Stream<Arguments> badAllowLists() {
        return Stream.of(
                Arguments.of(List.of("api.github.com", "https://evil.example/x"), "egress.allow[1]", "is a URL"),
                Arguments.of(List.of("a.example", "b.example", "c.example:0"), "egress.allow[2]", "port"),
                Arguments.of(List.of("c.example:65536"), "egress.allow[0]", "port"),
                Arguments.of(List.of("ok.example", "   "), "egress.allow[1]", "empty"),
                Arguments.of(Arrays.asList("ok.example", null), "egress.allow[1]", "empty"),
                Arguments.of(List.of("*.com"), "egress.allow[0]", "top-level domain"),
                Arguments.of(List.of("api.*.example"), "egress.allow[0]", "*"),
                Arguments.of(List.of("under_score.example"), "egress.allow[0]", "not a host name"),
                Arguments.of(List.of("300.1.1.1"), "egress.allow[0]", "not an IPv4 address"),
                Arguments.of(List.of("[zz::1]"), "egress.allow[0]", "IPv6"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badAllowLists")
    void aBadEntryIsRefusedWithItsPositionAndReasonOnCreateAndOnUpdateAndNothingIsWritten(
            List<String> allow, String field, String reason) {
        var token = newUser("egress-bad-" + UUID.randomUUID().toString().substring(0, 8));
        var refused = http.post("/api/scripts", json(script("refused", allow)), token);
        assertProblem(refused, field, reason);
        assertThat(http.get("/api/scripts", token).json())
                .as("nothing half-written")
                .isEmpty();

        String id =
                create(token, script("kept", List.of("kept.example"))).get("id").asString();
        var update = script("renamed", allow);
        var r = http.put("/api/scripts/" + id, json(update), token);
        assertProblem(r, field, reason);
        var after = http.get("/api/scripts/" + id, token).json();
        assertThat(after.get("name").asString()).isEqualTo("kept");
        assertThat(allowOf(after)).containsExactly("kept.example");
    }

    @Test
    void everyBadEntryOfOneListIsNamedAtOnce() {
        var r = http.post(
                "/api/scripts",
                json(script("many-bad", List.of("ok.example", "http://a.example", "ok2.example", "b.example:x"))),
                admin);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsString("field"))
                .containsExactly("egress.allow[1]", "egress.allow[3]");
    }

    @Test
    void anAllowListOfTheWrongShapeIsABadRequestNeverAServerError() {
        var tooLong = new ArrayList<String>();
        for (int i = 0; i <= 100; i++) tooLong.add("h" + i + ".example");
        var list = script("too-long", tooLong);
        var r = http.post("/api/scripts", json(list), admin);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly("egress.allow");

        for (Object shape : List.of(
                "api.github.com",
                List.of("api.github.com"),
                Map.of("allow", "api.github.com"),
                Map.of("allow", List.of(Map.of("host", "x"))),
                Map.of("allow", List.of(List.of("x.example"))),
                Map.of("allow", List.of("nul\u0000.example")),
                Map.of("allow", List.of("a".repeat(100_000) + ".example")),
                Map.of("deny", List.of()))) {
            var body = script("wrong-shape", null);
            body.put("egress", shape);
            var wrong = http.post("/api/scripts", json(body), admin);
            assertThat(wrong.status()).as(shape + ": " + wrong).isEqualTo(400);
            assertThat(wrong.contentType()).startsWith("application/problem+json");
            assertThat(wrong.text()).as(String.valueOf(shape)).contains("egress");
            var tried = http.post("/api/try-out", json(Map.of("code", code("shape"), "egress", shape)), admin);
            assertThat(tried.status()).as("try-out " + shape + ": " + tried).isEqualTo(400);
            assertThat(tried.text()).as(String.valueOf(shape)).contains("egress");
        }
        assertThat(http.get("/api/scripts", admin).json()).as("nothing written").isEmpty();
    }

    @Test
    void aWebhookRunAndAManualRunCarryTheScriptsAllowListAndAChangeHoldsFromTheNextRun() {
        var token = newUser("egress-runs");
        var created = create(token, script("hooked", List.of("api.github.com", "*.slack.com:*")));
        var id = UUID.fromString(created.get("id").asString());
        platform.reportBuild(id, 1, BuildState.READY);
        platform.awaitActive(id, 1, token, Duration.ofSeconds(10));
        String hook = created.get("webhookUrl").asString();

        var first = webhookRun(hook);
        assertThat(first.egress().allow()).containsExactly("api.github.com", "*.slack.com:*");
        assertThat(first.egress().allows("hooks.slack.com", 8443)).isTrue();

        var manual = http.post("/api/scripts/" + id + "/runs", json(Map.of("event", Map.of())), token);
        assertThat(manual.status()).as(manual.toString()).isEqualTo(202);
        assertThat(runRequest(manual.json().get("id").asString()).egress().allow())
                .containsExactly("api.github.com", "*.slack.com:*");

        var changed = http.put("/api/scripts/" + id, json(script("hooked", List.of("hooks.example.com:8443"))), token);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(webhookRun(hook).egress().allow()).containsExactly("hooks.example.com:8443");

        http.put("/api/scripts/" + id, json(script("hooked", List.of())), token);
        assertThat(webhookRun(hook).egress().allowsNothing()).isTrue();
    }

    @Test
    void aCronRunAndItsRetryCarryTheScriptsAllowListAsItIsWhenEachIsLaunched() {
        var token = newUser("egress-cron");
        var body = script("ticking", List.of("api.github.com"));
        body.put("cron", Map.of("expression", "* * * * * *", "timezone", "UTC"));
        body.put("retry", Map.of("maxAttempts", 2, "initialDelaySeconds", 1));
        var id = UUID.fromString(create(token, body).get("id").asString());
        platform.reportBuild(id, 1, BuildState.READY);
        platform.awaitActive(id, 1, token, Duration.ofSeconds(10));

        var tick = awaitRunRequest(id, TriggerKind.CRON, 1);
        assertThat(tick.egress().allow()).containsExactly("api.github.com");

        // no more ticks, and a new allow-list: the retry of the failed tick is launched with the script as it is now
        body.put("cron", null);
        body.put("egress", Map.of("allow", List.of("status.example.com:8443")));
        var changed = http.put("/api/scripts/" + id, json(body), token);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        reportFailed(tick.runId());
        var retry = awaitRunRequest(id, TriggerKind.CRON, 2);
        assertThat(retry.egress().allow()).containsExactly("status.example.com:8443");
    }

    @Test
    void aTryOutCarriesTheBodysAllowListOrElseItsSavedScriptsOrElseNone() throws Exception {
        var token = newUser("egress-try");
        String id = create(token, script("tried", List.of("api.github.com")))
                .get("id")
                .asString();
        var channel = new RedisTryOutChannel(redis, connection, Wire.json());

        var unsaved = tryOut(token, channel, Map.of("code", code("unsaved-none")), "unsaved-none");
        assertThat(unsaved.egress().allowsNothing()).isTrue();

        var given = tryOut(
                token,
                channel,
                Map.of("code", code("unsaved-given"), "egress", Map.of("allow", List.of("X.Example:8443"))),
                "unsaved-given");
        assertThat(given.egress().allow()).containsExactly("x.example:8443");

        var saved = tryOut(token, channel, Map.of("code", code("saved"), "scriptId", id), "saved");
        assertThat(saved.scriptId()).hasToString(id);
        assertThat(saved.egress().allow()).as("the saved script's").containsExactly("api.github.com");
        assertThat(saved.secretsToken()).as("and its secrets").isNotBlank();

        var overridden = tryOut(
                token,
                channel,
                Map.of("code", code("overridden"), "scriptId", id, "egress", Map.of("allow", List.of())),
                "overridden");
        assertThat(overridden.egress().allowsNothing())
                .as("the body's (the editor's unsaved field) over the saved one")
                .isTrue();

        var bad = http.post(
                "/api/try-out",
                json(Map.of("code", code("bad"), "egress", Map.of("allow", List.of("ok.example", "ftp://x")))),
                token);
        assertProblem(bad, "egress.allow[1]", "is a URL");
        var badToo = http.post(
                "/api/try-out",
                json(Map.of("code", "module.exports = 1", "egress", Map.of("allow", List.of("ftp://x")))),
                token);
        assertThat(badToo.status()).as(badToo.toString()).isEqualTo(400);
        assertThat(badToo.json().get("errors").findValuesAsString("field"))
                .as("every field at fault at once")
                .containsExactlyInAnyOrder("code", "egress.allow[0]");
    }

    private static String code(String marker) {
        return "export default async function () { return '" + marker + "'; }";
    }

    /**
     * Posts a try-out while a stand-in worker says it is alive, reads the request the api queued for the try-out
     * workers and ends the try-out as a worker would.
     */
    private static TryOutRequest tryOut(
            String token, RedisTryOutChannel channel, Map<String, Object> body, String marker) throws Exception {
        channel.heartbeat("egress-stand-in");
        var answer = CompletableFuture.supplyAsync(() -> http.post("/api/try-out", json(body), token));
        TryOutRequest request = null;
        var deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (request == null && System.nanoTime() < deadline) {
            channel.heartbeat("egress-stand-in");
            request = connection.sync().xrange(Streams.TRY_OUTS, Range.create("-", "+")).stream()
                    .map(m -> m.getBody().get("m"))
                    .filter(m -> m != null && m.contains("'" + marker + "'"))
                    .map(m -> Wire.json().readValue(m, TryOutRequest.class))
                    .findFirst()
                    .orElse(null);
            if (request == null) Thread.sleep(100);
        }
        assertThat(request).as("the try-out " + marker + " was queued").isNotNull();
        channel.publish(request.id(), new TryOutEvent.Started(1, "egress-stand-in"));
        channel.publish(request.id(), new TryOutEvent.Finished("SUCCEEDED", "\"" + marker + "\"", null, null, 0, 0, 0));
        var r = answer.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return request;
    }

    private static RunRequest webhookRun(String hook) {
        var r = new Http(hook.substring(0, hook.indexOf("/hooks/")))
                .post(hook.substring(hook.indexOf("/hooks/")) + "?async=true", json(Map.of("hello", "egress")), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return runRequest(r.json().get("runId").asString());
    }

    /** The run request the api put on the executors' stream for the run. */
    private static RunRequest runRequest(String runId) {
        return connection.sync().xrange(Streams.RUNS, Range.create("-", "+")).stream()
                .map(m -> m.getBody().get("m"))
                .filter(m -> m != null && m.contains(runId))
                .map(m -> Wire.json().readValue(m, RunRequest.class))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no run request for " + runId));
    }

    /** The first run request of the script with this trigger and attempt that the api put on the executors' stream. */
    private static RunRequest awaitRunRequest(UUID scriptId, TriggerKind trigger, int attempt) {
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> connection.sync().xrange(Streams.RUNS, Range.create("-", "+")).stream()
                                .map(m -> m.getBody().get("m"))
                                .filter(m -> m != null && m.contains(scriptId.toString()))
                                .map(m -> Wire.json().readValue(m, RunRequest.class))
                                .filter(r -> r.scriptId().equals(scriptId)
                                        && r.trigger() == trigger
                                        && r.attempt() == attempt)
                                .findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow();
    }

    /** Reports the run as failed on the results stream, as an executor would. */
    private static void reportFailed(UUID runId) {
        var now = Instant.now();
        new RedisWorkQueue<>(
                        redis,
                        connection,
                        Streams.RUN_RESULTS,
                        "api",
                        RunResult.class,
                        Wire.json(),
                        QueueOptions.<RunResult>defaults())
                .enqueue(new RunResult(runId, RunStatus.FAILED, null, null, "it broke", now.minusMillis(100), now));
    }

    private static long buildRequests(String scriptId) {
        return connection.sync().xrange(Streams.BUILDS, Range.create("-", "+")).stream()
                .map(m -> m.getBody().get("m"))
                .filter(m -> m != null && m.contains(scriptId))
                .count();
    }

    private static void assertProblem(Http.Response r, String field, String reason) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        var errors = r.json().get("errors");
        assertThat(errors.findValuesAsString("field")).as(r.toString()).containsExactly(field);
        assertThat(errors.get(0).get("message").asString()).as(r.toString()).contains(reason);
    }
}

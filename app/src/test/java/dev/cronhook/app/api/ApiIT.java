package dev.cronhook.app.api;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** The REST API over HTTP against the running application on a real PostgreSQL and Redis. */
class ApiIT {
    static TestPlatform platform;
    static Http http;
    static String admin;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api", Map.of());
        http = platform.http;
        admin = http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    static Map<String, Object> script(String name) {
        var body = new HashMap<String, Object>();
        body.put("name", name);
        body.put("code", "export default async function (event, ctx) { return {hello: 'world'}; }");
        body.put("dependencies", Map.of("lodash", "^4.17.21"));
        body.put("webhook", true);
        body.put("cron", Map.of("expression", "0 9 * * 1-5", "timezone", "Europe/Berlin"));
        body.put("timeoutSeconds", 10);
        body.put("memoryMb", 128);
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

    @Test
    void loginGivesABearerTokenAndAWrongPasswordIsRefused() {
        var ok = http.post(
                "/api/auth/login", json(Map.of("username", "admin", "password", TestPlatform.ADMIN_PASSWORD)), null);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("token").asString()).startsWith("chk_");
        assertThat(http.get("/api/me", ok.json().get("token").asString())
                        .json()
                        .get("username")
                        .asString())
                .isEqualTo("admin");

        var wrong = http.post("/api/auth/login", json(Map.of("username", "admin", "password", "nope-nope")), null);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.contentType()).startsWith("application/problem+json");
        var unknown = http.post("/api/auth/login", json(Map.of("username", "ghost", "password", "nope-nope")), null);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(http.get("/api/scripts", "chk_not-a-real-token").status()).isEqualTo(401);
    }

    @Test
    void scriptIsCreatedReadListedUpdatedAndDeleted() {
        var token = newUser("crud-user");
        var created = create(token, script("report"));
        String id = created.get("id").asString();
        assertThat(created.get("version").asInt()).isEqualTo(1);
        assertThat(created.get("webhookUrl").asString()).matches("http://127\\.0\\.0\\.1:\\d+/hooks/[A-Za-z0-9_-]{32}");
        assertThat(created.get("cron").get("nextFireTimes")).hasSize(5);
        assertThat(created.get("buildState").asString()).isEqualTo("QUEUED");

        var read = http.get("/api/scripts/" + id, token);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("dependencies").get("lodash").asString()).isEqualTo("^4.17.21");

        var list = http.get("/api/scripts", token);
        assertThat(list.json().isArray()).isTrue();
        assertThat(list.json()).hasSize(1);

        var changed = script("report");
        changed.put("timeoutSeconds", 20);
        changed.put("cron", null);
        var updated = http.put("/api/scripts/" + id, json(changed), token);
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().get("timeoutSeconds").asInt()).isEqualTo(20);
        assertThat(updated.json().has("cron")).isFalse();
        assertThat(updated.json().get("version").asInt())
                .as("limits alone make no new version")
                .isEqualTo(1);

        assertThat(http.delete("/api/scripts/" + id, token).status()).isEqualTo(204);
        assertThat(http.get("/api/scripts/" + id, token).status()).isEqualTo(404);
        assertThat(http.delete("/api/scripts/" + id, token).status()).isEqualTo(404);
    }

    @Test
    void aConcurrencyLimitIsSavedReadBackChangedAndClearedLikeTheOtherOptionalFields() {
        var token = newUser("concurrency-user");
        var body = script("limited");
        body.put("maxConcurrency", 3);
        var created = create(token, body);
        String id = created.get("id").asString();
        assertThat(created.get("maxConcurrency").asInt()).isEqualTo(3);
        assertThat(http.get("/api/scripts/" + id, token)
                        .json()
                        .get("maxConcurrency")
                        .asInt())
                .isEqualTo(3);
        assertThat(http.get("/api/scripts", token)
                        .json()
                        .get(0)
                        .get("maxConcurrency")
                        .asInt())
                .isEqualTo(3);
        assertThat(create(token, script("unlimited")).has("maxConcurrency"))
                .as("no limit unless asked for")
                .isFalse();

        body.put("maxConcurrency", 100);
        var changed = http.put("/api/scripts/" + id, json(body), token);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().get("maxConcurrency").asInt()).isEqualTo(100);
        assertThat(changed.json().get("version").asInt())
                .as("a limit alone makes no new version")
                .isEqualTo(1);

        body.put("maxConcurrency", null);
        var cleared = http.put("/api/scripts/" + id, json(body), token);
        assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
        assertThat(cleared.json().has("maxConcurrency")).isFalse();

        body.put("maxConcurrency", 7);
        http.put("/api/scripts/" + id, json(body), token);
        body.remove("maxConcurrency");
        var omitted = http.put("/api/scripts/" + id, json(body), token);
        assertThat(omitted.json().has("maxConcurrency"))
                .as("PUT replaces the script: an omitted limit is no limit")
                .isFalse();
        assertThat(http.get("/api/scripts/" + id, token).json().has("maxConcurrency"))
                .isFalse();
    }

    @Test
    void aBadConcurrencyLimitInAnUpdateIsRefusedAndTheScriptKeepsEverything() {
        var token = newUser("bad-concurrency-user");
        var body = script("kept");
        body.put("maxConcurrency", 4);
        String id = create(token, body).get("id").asString();
        var before = http.get("/api/scripts/" + id, token).json();

        for (Object bad : List.of(0, -1, 101, 1_000_000_000_000L, "many", "3", 2.5)) {
            var update = script("renamed");
            update.put("timeoutSeconds", 20);
            update.put("maxConcurrency", bad);
            var r = http.put("/api/scripts/" + id, json(update), token);
            assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("errors").findValuesAsString("field"))
                    .as(String.valueOf(bad))
                    .containsExactly("maxConcurrency");
            var after = http.get("/api/scripts/" + id, token).json();
            for (String field : List.of("name", "timeoutSeconds", "maxConcurrency", "updatedAt")) {
                assertThat(after.get(field)).as("nothing written for " + bad).isEqualTo(before.get(field));
            }
        }
    }

    @Test
    void aRunOfALimitedScriptCarriesItsLimitToTheExecutorAndAnUnlimitedOneCarriesZero() {
        var token = newUser("run-limit-user");
        var limited = script("limited-runs");
        limited.put("maxConcurrency", 2);
        var limitedId = UUID.fromString(create(token, limited).get("id").asString());
        var unlimitedId = UUID.fromString(
                create(token, script("unlimited-runs")).get("id").asString());

        assertThat(queuedRequest(token, limitedId).maxConcurrency()).isEqualTo(2);
        assertThat(queuedRequest(token, unlimitedId).maxConcurrency()).isZero();
    }

    /** Deploys version 1, starts a manual run and reads the run request the api put on the executors' stream. */
    private static RunRequest queuedRequest(String token, UUID scriptId) {
        reportBuild(scriptId, 1, BuildState.READY);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.get("/api/scripts/" + scriptId, token)
                                .json()
                                .get("activeVersion")
                                .asInt(0)
                        == 1);
        var run = http.post("/api/scripts/" + scriptId + "/runs", json(Map.of("event", Map.of())), token);
        assertThat(run.status()).as(run.toString()).isEqualTo(202);
        String runId = run.json().get("id").asString();
        var redis = RedisClient.create(platform.redisUrl());
        try (var c = redis.connect()) {
            return c.sync().xrange(Streams.RUNS, io.lettuce.core.Range.create("-", "+")).stream()
                    .map(m -> m.getBody().get("m"))
                    .filter(m -> m != null && m.contains(runId))
                    .map(m -> Wire.json().readValue(m, RunRequest.class))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no run request for " + runId));
        } finally {
            redis.shutdown();
        }
    }

    @Test
    void aChangeOfCodeOrDependenciesMakesANewVersionAndABuildRequest() {
        var token = newUser("versions-user");
        String id = create(token, script("versioned")).get("id").asString();
        var v2 = script("versioned");
        v2.put("code", "export default async () => 2");
        assertThat(http.put("/api/scripts/" + id, json(v2), token)
                        .json()
                        .get("version")
                        .asInt())
                .isEqualTo(2);
        var v3 = new HashMap<>(v2);
        v3.put("dependencies", Map.of("lodash", "^4.17.21", "dayjs", "^1.11.0"));
        assertThat(http.put("/api/scripts/" + id, json(v3), token)
                        .json()
                        .get("version")
                        .asInt())
                .isEqualTo(3);

        var versions = http.get("/api/scripts/" + id + "/versions", token).json();
        assertThat(versions).hasSize(3);
        assertThat(versions.get(0).get("version").asInt()).isEqualTo(3);
        assertThat(versions.get(2).get("code").asString()).contains("hello");

        var redis = RedisClient.create(platform.redisUrl());
        try (var c = redis.connect()) {
            var requests = c.sync().xrange(Streams.BUILDS, io.lettuce.core.Range.create("-", "+"));
            assertThat(requests.stream().map(m -> m.getBody().get("m")).filter(m -> m.contains(id)))
                    .hasSize(3);
        } finally {
            redis.shutdown();
        }
    }

    @Test
    void aReadyBuildBecomesActiveAndAnOlderVersionCanBeRolledBackTo() {
        var token = newUser("deploy-user");
        String id = create(token, script("deployable")).get("id").asString();
        var v2 = script("deployable");
        v2.put("code", "export default async () => 'v2'");
        http.put("/api/scripts/" + id, json(v2), token);

        // a version that has not been built cannot be deployed
        var early = http.post("/api/scripts/" + id + "/versions/1/deploy", "", token);
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.json().get("detail").asString()).contains("QUEUED").contains("only a READY version");

        reportBuild(UUID.fromString(id), 1, BuildState.READY);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.get("/api/scripts/" + id, token)
                                .json()
                                .get("activeVersion")
                                .asInt(0)
                        == 1);
        reportBuild(UUID.fromString(id), 2, BuildState.READY);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.get("/api/scripts/" + id, token)
                                .json()
                                .get("activeVersion")
                                .asInt(0)
                        == 2);

        var rollback = http.post("/api/scripts/" + id + "/versions/1/deploy", "", token);
        assertThat(rollback.status()).isEqualTo(200);
        assertThat(rollback.json().get("activeVersion").asInt()).isEqualTo(1);
        var versions = http.get("/api/scripts/" + id + "/versions", token).json();
        assertThat(versions.get(1).get("active").asBoolean()).isTrue();
        assertThat(versions.get(1).get("image").asString()).isEqualTo("registry.test/cronhook/" + id + ":v1");

        assertThat(http.post("/api/scripts/" + id + "/versions/9/deploy", "", token)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aFailedBuildIsShownAndCannotBeDeployed() {
        var token = newUser("failed-build-user");
        String id = create(token, script("broken")).get("id").asString();
        reportBuild(UUID.fromString(id), 1, BuildState.FAILED);
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/api/scripts/" + id, token)
                .json()
                .get("buildState")
                .asString()
                .equals("FAILED"));
        var deploy = http.post("/api/scripts/" + id + "/versions/1/deploy", "", token);
        assertThat(deploy.status()).isEqualTo(409);
        assertThat(deploy.json().get("detail").asString()).contains("FAILED").contains("no such package");
    }

    /** Reports a build result on the builders' result stream, as a builder does. */
    private static void reportBuild(UUID scriptId, int version, BuildState state) {
        platform.reportBuild(scriptId, version, state);
    }

    @Test
    void anotherUserGetsNotFoundAndNeverTheData() {
        var owner = newUser("owner-user");
        var other = newUser("other-user");
        String id = create(owner, script("private")).get("id").asString();

        for (var r : List.of(
                http.get("/api/scripts/" + id, other),
                http.get("/api/scripts/" + id + "/versions", other),
                http.put("/api/scripts/" + id, json(script("stolen")), other),
                http.post("/api/scripts/" + id + "/versions/1/deploy", "", other),
                http.post("/api/scripts/" + id + "/webhook/rotate", "", other),
                http.delete("/api/scripts/" + id, other))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(404);
            assertThat(r.text()).doesNotContain("hello").doesNotContain("private");
        }
        assertThat(http.get("/api/scripts", other).json()).isEmpty();
        assertThat(http.get("/api/runs?scriptId=" + id, other).json()).isEmpty();
        assertThat(http.get("/api/scripts/" + id, owner).json().get("name").asString())
                .isEqualTo("private");
    }

    @Test
    void onlyTheAdminCreatesUsers() {
        var user = newUser("plain-user");
        var r = http.post("/api/users", json(Map.of("username", "sneaky", "password", "password-123")), user);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(http.post("/api/users", json(Map.of("username", "plain-user", "password", "password-123")), admin)
                        .status())
                .isEqualTo(409);
    }

    @Test
    void namedApiTokensAuthenticateAndCanBeRevoked() {
        var user = newUser("token-user");
        var made = http.post("/api/tokens", json(Map.of("name", "ci", "expiresInDays", 30)), user);
        assertThat(made.status()).isEqualTo(201);
        String apiToken = made.json().get("token").asString();
        assertThat(http.get("/api/me", apiToken).json().get("username").asString())
                .isEqualTo("token-user");
        var listed = http.get("/api/tokens", user).json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).has("token")).isFalse();
        assertThat(http.delete("/api/tokens/" + made.json().get("id").asString(), user)
                        .status())
                .isEqualTo(204);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> http.get("/api/me", apiToken).status() == 401);
    }

    @Test
    void rotatingTheWebhookGivesANewUrl() {
        var token = newUser("rotate-user");
        var created = create(token, script("rotating"));
        var rotated = http.post("/api/scripts/" + created.get("id").asString() + "/webhook/rotate", "", token);
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.json().get("webhookUrl").asString())
                .isNotEqualTo(created.get("webhookUrl").asString());
    }

    @Test
    void operationsEndpointsAnswer() {
        var ready = http.get("/actuator/health/readiness", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asString()).isEqualTo("UP");
        assertThat(http.get("/actuator/health/liveness", null).status()).isEqualTo(200);
        // metrics are on the management port only
        assertThat(new Http(platform.managementUrl())
                        .get("/actuator/prometheus", null)
                        .text())
                .contains("jvm_memory_used_bytes");
        assertThat(http.get("/actuator/prometheus", null).status()).isEqualTo(404);
        var docs = http.get("/v3/api-docs", null);
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().get("paths").has("/api/scripts")).isTrue();
    }

    static Stream<Arguments> badRequests() {
        Map<String, Object> tooLong = script("x".repeat(101));
        Map<String, Object> badChars = script("semi;colon");
        Map<String, Object> noCode = script("no-code");
        noCode.remove("code");
        Map<String, Object> noExport = script("no-export");
        noExport.put("code", "module.exports = () => 1");
        Map<String, Object> huge = script("huge");
        huge.put("code", "export default () => 1; //" + "x".repeat(300 * 1024));
        Map<String, Object> badPackage = script("bad-package");
        badPackage.put("dependencies", Map.of("Lodash", "^4"));
        Map<String, Object> badRange = script("bad-range");
        badRange.put("dependencies", Map.of("lodash", "^^4"));
        Map<String, Object> gitDep = script("git-dep");
        gitDep.put("dependencies", Map.of("lodash", "git+https://example.org/lodash.git"));
        Map<String, Object> fourFields = script("four-fields");
        fourFields.put("cron", Map.of("expression", "* * * *", "timezone", "UTC"));
        Map<String, Object> badCron = script("bad-cron");
        badCron.put("cron", Map.of("expression", "61 * * * *", "timezone", "UTC"));
        Map<String, Object> badZone = script("bad-zone");
        badZone.put("cron", Map.of("expression", "* * * * *", "timezone", "Europe/Atlantis"));
        Map<String, Object> noZone = script("no-zone");
        noZone.put("cron", Map.of("expression", "* * * * *"));
        Map<String, Object> badOverlap = script("bad-overlap");
        badOverlap.put("cron", Map.of("expression", "* * * * *", "timezone", "UTC", "overlapPolicy", "sometimes"));
        Map<String, Object> zeroTimeout = script("zero-timeout");
        zeroTimeout.put("timeoutSeconds", 0);
        Map<String, Object> longTimeout = script("long-timeout");
        longTimeout.put("timeoutSeconds", 100000);
        Map<String, Object> tinyMemory = script("tiny-memory");
        tinyMemory.put("memoryMb", 1);
        Map<String, Object> hugeMemory = script("huge-memory");
        hugeMemory.put("memoryMb", 1 << 20);
        Map<String, Object> unknownField = script("unknown-field");
        unknownField.put("color", "blue");
        Map<String, Object> wrongType = script("wrong-type");
        wrongType.put("timeoutSeconds", "soon");
        Map<String, Object> zeroConcurrency = script("zero-concurrency");
        zeroConcurrency.put("maxConcurrency", 0);
        Map<String, Object> negativeConcurrency = script("negative-concurrency");
        negativeConcurrency.put("maxConcurrency", -2);
        Map<String, Object> hugeConcurrency = script("huge-concurrency");
        hugeConcurrency.put("maxConcurrency", 101);
        Map<String, Object> wordConcurrency = script("word-concurrency");
        wordConcurrency.put("maxConcurrency", "many");
        Map<String, Object> fractionConcurrency = script("fraction-concurrency");
        fractionConcurrency.put("maxConcurrency", 2.5);

        return Stream.of(
                Arguments.of("name too long", "POST", "/api/scripts", "application/json", json(tooLong), 400, "name"),
                Arguments.of(
                        "name with bad characters",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(badChars),
                        400,
                        "name"),
                Arguments.of("no code", "POST", "/api/scripts", "application/json", json(noCode), 400, "code"),
                Arguments.of(
                        "code without a default export",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(noExport),
                        400,
                        "code"),
                Arguments.of("code over 256 KiB", "POST", "/api/scripts", "application/json", json(huge), 400, "code"),
                Arguments.of(
                        "package name with capitals",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(badPackage),
                        400,
                        "dependencies.Lodash"),
                Arguments.of(
                        "bad version range",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(badRange),
                        400,
                        "dependencies.lodash"),
                Arguments.of(
                        "git dependency",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(gitDep),
                        400,
                        "dependencies.lodash"),
                Arguments.of(
                        "cron with 4 fields",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(fourFields),
                        400,
                        "cron.expression"),
                Arguments.of(
                        "cron minute 61",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(badCron),
                        400,
                        "cron.expression"),
                Arguments.of(
                        "unknown time zone",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(badZone),
                        400,
                        "cron.timezone"),
                Arguments.of(
                        "missing time zone",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(noZone),
                        400,
                        "cron.timezone"),
                Arguments.of(
                        "bad overlap policy",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(badOverlap),
                        400,
                        "cron.overlapPolicy"),
                Arguments.of(
                        "timeout 0",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(zeroTimeout),
                        400,
                        "timeoutSeconds"),
                Arguments.of(
                        "timeout too long",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(longTimeout),
                        400,
                        "timeoutSeconds"),
                Arguments.of(
                        "memory too small",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(tinyMemory),
                        400,
                        "memoryMb"),
                Arguments.of(
                        "memory too large",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(hugeMemory),
                        400,
                        "memoryMb"),
                Arguments.of(
                        "unknown JSON field",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(unknownField),
                        400,
                        "color"),
                Arguments.of(
                        "wrong JSON type",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(wrongType),
                        400,
                        "timeoutSeconds"),
                Arguments.of(
                        "concurrency limit 0",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(zeroConcurrency),
                        400,
                        "maxConcurrency"),
                Arguments.of(
                        "negative concurrency limit",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(negativeConcurrency),
                        400,
                        "maxConcurrency"),
                Arguments.of(
                        "concurrency limit over the configured maximum",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(hugeConcurrency),
                        400,
                        "maxConcurrency"),
                Arguments.of(
                        "concurrency limit that is a word",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(wordConcurrency),
                        400,
                        "maxConcurrency"),
                Arguments.of(
                        "concurrency limit that is a fraction",
                        "POST",
                        "/api/scripts",
                        "application/json",
                        json(fractionConcurrency),
                        400,
                        "maxConcurrency"),
                Arguments.of(
                        "malformed JSON", "POST", "/api/scripts", "application/json", "{\"name\": \"x\",", 400, null),
                Arguments.of("empty body", "POST", "/api/scripts", "application/json", "", 400, null),
                Arguments.of(
                        "JSON array instead of object", "POST", "/api/scripts", "application/json", "[1,2]", 400, null),
                Arguments.of("wrong content type", "POST", "/api/scripts", "text/plain", "name=x", 415, null),
                Arguments.of("script id that is not a UUID", "GET", "/api/scripts/not-a-uuid", null, null, 400, null),
                Arguments.of("unknown script", "GET", "/api/scripts/" + UUID.randomUUID(), null, null, 404, null),
                Arguments.of("unknown run", "GET", "/api/runs/" + UUID.randomUUID(), null, null, 404, null),
                Arguments.of("bad run status filter", "GET", "/api/runs?status=SLEEPING", null, null, 400, "status"),
                Arguments.of("bad run limit", "GET", "/api/runs?limit=100000", null, null, 400, "limit"),
                Arguments.of("method not allowed", "PATCH", "/api/scripts", "application/json", "{}", 405, null),
                Arguments.of("unknown path", "GET", "/api/nothing-here", null, null, 404, null),
                Arguments.of(
                        "user with a short password",
                        "POST",
                        "/api/users",
                        "application/json",
                        json(Map.of("username", "shorty", "password", "123")),
                        400,
                        "password"),
                Arguments.of("token without a name", "POST", "/api/tokens", "application/json", "{}", 400, "name"));
    }

    @ParameterizedTest(name = "{0} -> {5}")
    @MethodSource("badRequests")
    void badRequestIsAnsweredWithAProblemDocumentAndLeavesNothingBehind(
            String what, String method, String path, String contentType, String body, int status, String field) {
        int scriptsBefore = http.get("/api/scripts", admin).json().size();

        var r = http.send(method, path, contentType, body, admin);

        assertThat(r.status()).as(what + ": " + r).isEqualTo(status);
        assertThat(r.contentType()).as(what).startsWith("application/problem+json");
        var problem = r.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).as(what).isNotBlank();
        if (field != null) {
            assertThat(problem.get("errors").findValuesAsString("field"))
                    .as(what)
                    .contains(field);
        }
        assertThat(http.get("/api/scripts", admin).json().size())
                .as("nothing half-written")
                .isEqualTo(scriptsBefore);
    }

    @Test
    void aDuplicateNameIsAConflictAndWritesNothing() {
        var token = newUser("dup-user");
        create(token, script("twin"));
        var second = http.post("/api/scripts", json(script("twin")), token);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("detail").asString()).contains("twin");
        assertThat(http.get("/api/scripts", token).json()).hasSize(1);
    }
}

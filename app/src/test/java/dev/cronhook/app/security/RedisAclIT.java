package dev.cronhook.app.security;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.RedisProcess;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.queue.redis.Streams;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The per-role Redis users of infra/k8s/base/redis-acl/users.acl, applied by the script the api pods' init container
 * runs (redis-acl/apply.sh: {@code ACL SETUSER <user> reset on ><password> <rules>}) to a redis-server of the test's
 * own whose default user has a password: a split platform in this JVM, each role on its own user, does the real paths
 * (a build, a webhook with its reply, a cron run, a manual run, live logs, a try-out) with no command denied; then
 * each user is refused what is not its own. What it cannot prove: that DigitalOcean's managed Valkey accepts these
 * users (see docs/deploy.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisAclIT {
    static final List<String> ROLES = List.of("api", "scheduler", "builder", "executor", "try-out");
    static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();

    static RedisProcess redis;
    static RedisClient adminClient;
    static StatefulRedisConnection<String, String> admin;
    static final Map<String, String> passwords = new LinkedHashMap<>();
    static final List<TestPlatform> platforms = new ArrayList<>();
    static final List<RedisClient> clients = new ArrayList<>();
    static TestPlatform api;
    static Http http;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        redis = new RedisProcess(List.of("--requirepass", ADMIN_PASSWORD));
        adminClient = RedisClient.create("redis://:" + ADMIN_PASSWORD + "@127.0.0.1:" + redis.port() + "/0");
        admin = adminClient.connect();
        for (String user : usersIn(aclFile()))
            passwords.put(user, UUID.randomUUID().toString());
        assertThat(passwords.keySet()).as("one user per role").containsExactlyElementsOf(ROLES);
        // applied by the script the api pods' init container runs; twice, as every api pod start does
        applyAclFile();
        applyAclFile();
        admin.sync().aclLogReset();

        String internalToken = "internal-" + UUID.randomUUID();
        api = TestPlatform.start(
                "api,web",
                Map.of("cronhook.internal-token", internalToken, "cronhook.webhooks.sync-timeout", "60s"),
                null,
                url("api"));
        platforms.add(api);
        http = api.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        var workers = Map.of(
                "cronhook.internal-token",
                internalToken,
                "cronhook.executor.api-url",
                api.managementUrl(),
                "cronhook.executor.runtime",
                "process");
        platforms.add(TestPlatform.startSharing(
                api, "scheduler", Map.of("cronhook.internal-token", internalToken), url("scheduler")));
        platforms.add(
                TestPlatform.startSharing(api, "builder", Map.of("cronhook.builder.target", "bundle"), url("builder")));
        platforms.add(TestPlatform.startSharing(api, "executor", workers, url("executor")));
        var tryOut = new HashMap<String, Object>(workers);
        tryOut.remove("cronhook.executor.runtime");
        tryOut.put("cronhook.try-out.timeout", "60s");
        platforms.add(TestPlatform.startSharing(api, "try-out", tryOut, url("try-out")));
    }

    @AfterAll
    static void stop() throws Exception {
        for (var p : platforms.reversed()) p.close();
        clients.forEach(RedisClient::shutdown);
        if (admin != null) admin.close();
        if (adminClient != null) adminClient.shutdown();
        if (redis != null) redis.close();
    }

    @Test
    @Order(1)
    void aScriptIsBuiltAndItsWebhookRepliesWithItsLogsLive() throws Exception {
        String id = deployed("acl-responder", """
                export default async function (event) {
                  console.log("order", event.body.order);
                  return { accepted: event.body.order };
                }
                """, null);
        var hook =
                http.get("/api/scripts/" + id, token).json().get("webhookUrl").asString();
        var r = call(hook, "{\"order\": 42}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"accepted\":42}");

        String runUrl =
                "/api/runs/" + r.headers().firstValue("X-Cronhook-Run-Id").orElseThrow();
        var lines = new ArrayList<String>();
        follow(runUrl + "/logs", lines::add);
        assertThat(lines).anyMatch(l -> l.contains("order 42"));
        assertThat(http.get(runUrl + "/logs", token).json().get("lines").findValuesAsString("text"))
                .contains("order 42");
    }

    @Test
    @Order(2)
    void aCronRunAndAManualRunSucceed() {
        String id = deployed(
                "acl-cron",
                "export default async () => 'ticked'",
                Map.of("expression", "*/2 * * * * *", "timezone", "UTC", "overlapPolicy", "allow"));
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> runs(id).stream()
                        .anyMatch(run -> run.get("trigger").asString().equals("cron")
                                && run.get("status").asString().equals("SUCCEEDED")));

        var accepted = http.post("/api/scripts/" + id + "/runs", json(Map.of()), token);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String url = accepted.json().get("url").asString();
        await().atMost(Duration.ofMinutes(1))
                .until(() ->
                        http.get(url, token).json().get("status").asString().equals("SUCCEEDED"));
    }

    @Test
    @Order(3)
    void aTryOutIsAnsweredWithItsLiveEvents() {
        var live = http.postForEvents(
                "/api/try-out",
                json(Map.of("code", "export default async () => { console.log('tried'); return 7; }")),
                token);
        assertThat(live.names()).as(live.response().toString()).containsSubsequence("started", "log", "result");
        var result = live.named("result").getFirst().data();
        assertThat(result.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(result.get("result").asInt()).isEqualTo(7);
    }

    @Test
    @Order(4)
    void noCommandOfTheRealPathsWasDenied() {
        assertThat(admin.sync().aclLog()).as("ACL LOG").isEmpty();
    }

    @Test
    @Order(5)
    void noUserMayFlushListKeysConfigureOrReachOutsideCronhook() {
        for (String role : ROLES) {
            try (var as = connectAs(role)) {
                var redis = as.sync();
                assertThat(redis.ping()).isEqualTo("PONG");
                denied(role, () -> redis.flushall());
                denied(role, () -> redis.flushdb());
                denied(role, () -> redis.keys("*"));
                denied(role, () -> redis.configGet("*"));
                denied(role, () -> redis.configSet("appendonly", "no"));
                denied(role, () -> redis.info());
                denied(role, () -> redis.clientList());
                denied(role, () -> redis.aclList());
                denied(role, () -> redis.scriptFlush());
                denied(role, () -> redis.slowlogGet());
                denied(role, () -> redis.exists("someone-else:key"));
                denied(role, () -> redis.xadd("someone-else:stream", Map.of("m", "x")));
                denied(
                        role,
                        () -> redis.eval(
                                "return redis.call('GET', 'someone-else:key')",
                                io.lettuce.core.ScriptOutputType.VALUE));
                denied(role, () -> redis.eval("return redis.call('FLUSHALL')", io.lettuce.core.ScriptOutputType.VALUE));
            }
        }
    }

    @Test
    @Order(6)
    void theBuilderReachesNoRunTryOutTokenOrIdempotencyKey() {
        try (var as = connectAs("builder")) {
            var redis = as.sync();
            denied(
                    "builder",
                    () -> redis.xreadgroup(
                            io.lettuce.core.Consumer.from("executor", "intruder"),
                            io.lettuce.core.XReadArgs.StreamOffset.lastConsumed(Streams.RUNS)));
            denied("builder", () -> redis.xadd(Streams.RUNS, Map.of("m", "{}")));
            denied("builder", () -> redis.xadd(Streams.TRY_OUTS, Map.of("m", "{}")));
            denied("builder", () -> redis.get("cronhook:run-token:" + UUID.randomUUID()));
            denied("builder", () -> redis.del("cronhook:run-token:" + UUID.randomUUID()));
            denied("builder", () -> redis.del("cronhook:idem:" + UUID.randomUUID() + ":k"));
            denied("builder", () -> redis.del(Streams.RUN_RESULTS));
            denied(
                    "builder",
                    () -> redis.publish(
                            Streams.CANCEL_CHANNEL, UUID.randomUUID().toString()));
        }
    }

    @Test
    @Order(7)
    void theExecutorReachesNoGrantIdempotencyKeyBuildOrTryOut() {
        try (var as = connectAs("executor")) {
            var redis = as.sync();
            denied("executor", () -> redis.get("cronhook:try-out-grant:" + UUID.randomUUID()));
            denied("executor", () -> redis.exists("cronhook:try-out-grant:" + UUID.randomUUID()));
            denied("executor", () -> redis.exists("cronhook:run-token:" + UUID.randomUUID()));
            denied("executor", () -> redis.exists("cronhook:idem:" + UUID.randomUUID() + ":k"));
            denied("executor", () -> redis.set("cronhook:rate:" + UUID.randomUUID() + ":1", "0"));
            denied(
                    "executor",
                    () -> redis.xreadgroup(
                            io.lettuce.core.Consumer.from("builder", "intruder"),
                            io.lettuce.core.XReadArgs.StreamOffset.lastConsumed(Streams.BUILDS)));
            denied("executor", () -> redis.xadd(Streams.BUILD_RESULTS, Map.of("m", "{}")));
            denied("executor", () -> redis.xadd(Streams.tryOutEvents(UUID.randomUUID()), Map.of("e", "{}")));
            denied("executor", () -> redis.xrange(Streams.RUNS, io.lettuce.core.Range.create("-", "+")));
            denied("executor", () -> redis.zadd("cronhook:schedules:due", 1, "x"));
            // it reads the blank sandbox image's name; naming another image for every executor is the try-out's
            denied("executor", () -> redis.set(Streams.BLANK_IMAGE, "registry.example/evil:1"));
        }
    }

    @Test
    @Order(8)
    void theTryOutWorkerReachesNoRunBuildGrantOrToken() {
        try (var as = connectAs("try-out")) {
            var redis = as.sync();
            denied(
                    "try-out",
                    () -> redis.xreadgroup(
                            io.lettuce.core.Consumer.from("executor", "intruder"),
                            io.lettuce.core.XReadArgs.StreamOffset.lastConsumed(Streams.RUNS)));
            denied("try-out", () -> redis.xadd(Streams.RUNS, Map.of("m", "{}")));
            denied("try-out", () -> redis.xadd(Streams.RUN_RESULTS, Map.of("m", "{}")));
            denied("try-out", () -> redis.xadd(Streams.BUILDS, Map.of("m", "{}")));
            denied("try-out", () -> redis.xadd("cronhook:try-out-grant:" + UUID.randomUUID(), Map.of("e", "{}")));
            denied("try-out", () -> redis.get("cronhook:try-out-grant:" + UUID.randomUUID()));
            denied("try-out", () -> redis.get("cronhook:run-token:" + UUID.randomUUID()));
            denied("try-out", () -> redis.publish(Streams.RUN_FINISHED_CHANNEL, "{}"));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The users of users.acl, read as apply.sh reads them: blank lines and #-comments skipped, the first word. */
    static List<String> usersIn(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .map(line -> line.split("\\s+")[0])
                .toList();
    }

    static Path aclFile() {
        for (var dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            var file = dir.resolve("infra/k8s/base/redis-acl/users.acl");
            if (Files.isRegularFile(file)) return file;
        }
        throw new IllegalStateException("infra/k8s/base/redis-acl/users.acl not found above the working directory");
    }

    /** Runs redis-acl/apply.sh (with redis-cli) as the init container runs it, with this test's passwords. */
    static void applyAclFile() throws Exception {
        var script = aclFile().resolveSibling("apply.sh");
        var process = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true);
        process.environment().put("REDIS_CLI", "redis-cli");
        process.environment()
                .put("CRONHOOK_REDIS_ADMIN_URL", "redis://default:" + ADMIN_PASSWORD + "@127.0.0.1:" + redis.port());
        passwords.forEach((user, password) -> process.environment()
                .put(
                        "CRONHOOK_REDIS_PASSWORD_"
                                + user.toUpperCase(java.util.Locale.ROOT).replace('-', '_'),
                        password));
        var started = process.start();
        String output = new String(started.getInputStream().readAllBytes());
        assertThat(started.waitFor()).as(output).isZero();
        assertThat(output).contains("user try-out applied");
    }

    static String url(String role) {
        return "redis://" + role + ":" + passwords.get(role) + "@127.0.0.1:" + redis.port() + "/0";
    }

    static StatefulRedisConnection<String, String> connectAs(String role) {
        var client = RedisClient.create(url(role));
        clients.add(client);
        return client.connect();
    }

    /** Refused by an ACL: NOPERM, or the error of a Lua script whose call the ACL refused. */
    static void denied(String role, Runnable command) {
        assertThatThrownBy(command::run)
                .as("as " + role)
                .isInstanceOf(RedisCommandExecutionException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .as("as " + role)
                        .matches("(?s)NOPERM .*|ERR The user executing the script can't .*"));
    }

    static String deployed(String name, String code, Map<String, Object> cron) {
        var body = new HashMap<String, Object>();
        body.put("name", name);
        body.put("code", code);
        body.put("cron", cron);
        var r = http.post("/api/scripts", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String id = r.json().get("id").asString();
        // built by the builder role (a bundle), activated by the api on its result
        api.awaitActive(UUID.fromString(id), 1, token, Duration.ofMinutes(3));
        return id;
    }

    static List<tools.jackson.databind.JsonNode> runs(String scriptId) {
        var r = http.get("/api/runs?limit=500&scriptId=" + scriptId, token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        var all = new ArrayList<tools.jackson.databind.JsonNode>();
        r.json().forEach(all::add);
        return all;
    }

    static HttpResponse<String> call(String url, String body) {
        return Http.postJson(url, body);
    }

    /** Reads a run's log as a browser follows it (server-sent events) until the stream ends. */
    static void follow(String path, Consumer<String> onLine) throws Exception {
        var response = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
                                .timeout(Duration.ofSeconds(60))
                                .header("Accept", "text/event-stream")
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (var in = new BufferedReader(new InputStreamReader(response.body()))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) onLine.accept(line);
        }
    }
}

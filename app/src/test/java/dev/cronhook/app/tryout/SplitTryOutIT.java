package dev.cronhook.app.tryout;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.tryout.TryOutEvent;
import dev.cronhook.core.tryout.TryOutRequest;
import dev.cronhook.core.tryout.redis.RedisTryOutChannel;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Try-out in a split deployment: one process with the roles api and web (it holds the callers), another with only
 * the try-out role (sharing the database and Redis), as the Kubernetes Deployments run them. A worker that dies is
 * played by the test itself: it takes a try-out off the real stream in the real consumer group and goes silent.
 * Ordered: first with no try-out process, then with one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SplitTryOutIT {
    private static final String SMALL = "export default async function (event) { console.log('tried'); return 7; }";

    static TestPlatform api;
    static TestPlatform worker;
    static Http http;
    static String token;
    static RedisClient redis;
    static StatefulRedisConnection<String, String> connection;
    static RedisTryOutChannel channel;
    static UUID givenUp;

    @BeforeAll
    static void start() {
        // a silent worker counts as gone after 3 s, so the test of a dead worker does not wait the default 10 s
        api = TestPlatform.start("api,web", Map.of("cronhook.try-out.worker-timeout", "3s"));
        http = api.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        redis = RedisClient.create(api.redisUrl());
        connection = redis.connect();
        channel = new RedisTryOutChannel(redis, connection, Wire.json());
    }

    @AfterAll
    static void stop() {
        if (connection != null) connection.close();
        if (redis != null) redis.shutdown();
        if (worker != null) worker.stop();
        if (api != null) api.close();
    }

    @Test
    @Order(1)
    void withNoTryOutProcessUpTheApiAnswersAtOnceThatTryOutIsNotRunning() throws Exception {
        var r = http.post("/api/try-out", json(Map.of("code", SMALL)), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(503);
        assertThat(r.contentType()).contains("application/problem+json");
        assertThat(r.json().get("detail").asString()).startsWith("try-out is not running");
        assertThat(connection.sync().exists(Streams.TRY_OUTS))
                .as("nothing was queued")
                .isZero();

        // the editor's Try it (the page's session, its CSRF token) hears the same, as a problem document
        var page = new SignedInPage(api.baseUrl());
        var fromEditor = page.post("/scripts/try", json(Map.of("code", SMALL)), "text/event-stream");
        assertThat(fromEditor.statusCode()).as(fromEditor.body()).isEqualTo(503);
        assertThat(fromEditor.headers().firstValue("content-type").orElse("")).contains("application/problem+json");
        assertThat(fromEditor.body()).contains("try-out is not running");
    }

    @Test
    @Order(2)
    void aTryOutWhoseWorkerStoppedEndsWithAClearErrorWhenNoOtherWorkerIsUp() throws Exception {
        // a worker says it is alive, takes the try-out, starts it, logs a line and dies
        ensureGroup();
        channel.heartbeat("doomed-1");
        var answer = CompletableFuture.supplyAsync(() -> http.post("/api/try-out", json(Map.of("code", SMALL)), token));
        var taken = take("doomed-1");
        givenUp = taken.id();
        channel.publish(taken.id(), new TryOutEvent.Started(1, "doomed-1"));
        channel.publish(taken.id(), new TryOutEvent.Log(Instant.now(), "stdout", "about to die"));

        var r = answer.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.toString()).isEqualTo(503);
        assertThat(r.json().get("detail").asString())
                .startsWith("try-out is not running")
                .contains("the try-out worker running it stopped");
        assertThat(channel.hasEnded(taken.id()))
                .as("a worker that takes it over later is told not to run it")
                .isTrue();
    }

    @Test
    @Order(3)
    void aTryOutProcessOfItsOwnServesTheApisTryOutsWithTheirLiveEvents() {
        startWorker();
        var r = http.post(
                "/api/try-out",
                json(Map.of(
                        "code",
                        "import _ from 'lodash';\n"
                                + "export default async function (event) {"
                                + " console.log('summing'); return _.sum(event.numbers); }",
                        "dependencies",
                        Map.of("lodash", "^4.17.21"),
                        "event",
                        Map.of("numbers", new int[] {1, 2, 3}))),
                token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(r.json().get("result").asInt()).isEqualTo(6);
        assertThat(r.json().get("logs").findValuesAsString("text")).containsExactly("summing");
        assertThat(r.json().get("installLog").toString()).contains("npm ci");

        var live = http.postForEvents("/api/try-out", json(Map.of("code", SMALL)), token);
        assertThat(live.names()).containsSubsequence("started", "install", "log", "result");
        assertThat(live.names().getLast()).isEqualTo("result");
        assertThat(live.named("install").getFirst().data().get("text").asString())
                .isEqualTo("no dependencies: npm skipped");
        assertThat(live.named("result").getFirst().data().get("result").asInt()).isEqualTo(7);

        // the try-out given up on before this worker started is taken off the queue without being run
        await().atMost(Duration.ofSeconds(30)).until(() -> pending() == 0);
        assertThat(connection.sync().xlen(Streams.tryOutEvents(givenUp))).isEqualTo(1);
    }

    @Test
    @Order(4)
    void aTryOutWhoseWorkerDiedIsTakenOverByAnotherWorkerAndAnswered() throws Exception {
        startWorker();
        // the try-out process (one at a time) is kept busy for a while by a try-out that sleeps, so that the dying
        // worker is the one that takes the next try-out (a try-out runs in a sandbox: it sees no file of this host
        // that could serve as a gate)
        String waiting = "export default async function () {\n"
                + "  await new Promise(r => setTimeout(r, 5000));\n"
                + "  return 'through';\n"
                + "}";
        var busy = CompletableFuture.supplyAsync(
                () -> http.postForEvents("/api/try-out", json(Map.of("code", waiting)), token));
        await().atMost(Duration.ofSeconds(30)).until(() -> pending() == 1);

        var answer = CompletableFuture.supplyAsync(
                () -> http.postForEvents("/api/try-out", json(Map.of("code", SMALL)), token));
        var taken = take("doomed-2");
        channel.publish(taken.id(), new TryOutEvent.Started(1, "doomed-2"));
        channel.publish(taken.id(), new TryOutEvent.Log(Instant.now(), "stdout", "about to die"));
        // doomed-2 dies here; the try-out process, once free, takes its try-out over

        var through = busy.get(60, TimeUnit.SECONDS);
        assertThat(through.named("result").getFirst().data().get("result").asString())
                .isEqualTo("through");
        var r = answer.get(60, TimeUnit.SECONDS);
        assertThat(r.names()).as(r.response().toString()).containsSubsequence("started", "started", "result");
        assertThat(r.named("started"))
                .extracting(e -> e.data().get("attempt").asInt())
                .containsExactly(1, 2);
        var result = r.named("result").getFirst().data();
        assertThat(result.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(result.get("result").asInt()).isEqualTo(7);
        assertThat(result.get("logs").findValuesAsString("text"))
                .as("the answer has the lines of the attempt that finished")
                .containsExactly("tried");
    }

    /** A browser's session on the pages: signed in through the sign-in form, with the page's CSRF token. */
    static final class SignedInPage {
        private final String base;
        private final java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .cookieHandler(new java.net.CookieManager())
                .build();
        private final String csrf;

        SignedInPage(String base) throws Exception {
            this.base = base;
            var login = get("/login");
            var form = "username=admin&password=" + TestPlatform.ADMIN_PASSWORD + "&_csrf="
                    + java.net.URLEncoder.encode(
                            hidden(login.body(), "_csrf"), java.nio.charset.StandardCharsets.UTF_8);
            var signedIn = send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "text/html")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)));
            assertThat(signedIn.statusCode()).isEqualTo(302);
            assertThat(signedIn.headers().firstValue("location").orElse("")).endsWith("/scripts");
            var editor = get("/scripts/new");
            var meta = java.util.regex.Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"")
                    .matcher(editor.body());
            assertThat(meta.find()).as("the editor carries its CSRF token").isTrue();
            this.csrf = meta.group(1);
        }

        java.net.http.HttpResponse<String> post(String path, String json, String accept) throws Exception {
            return send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                    .header("Content-Type", "application/json")
                    .header("Accept", accept)
                    .header("X-XSRF-TOKEN", csrf)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)));
        }

        private java.net.http.HttpResponse<String> get(String path) throws Exception {
            return send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                    .header("Accept", "text/html")
                    .GET());
        }

        private java.net.http.HttpResponse<String> send(java.net.http.HttpRequest.Builder request) throws Exception {
            return client.send(
                    request.timeout(Duration.ofSeconds(60)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        }

        private static String hidden(String html, String name) {
            var m = java.util.regex.Pattern.compile("name=\"" + name + "\" value=\"([^\"]+)\"")
                    .matcher(html);
            assertThat(m.find()).as("the form has " + name).isTrue();
            return m.group(1);
        }
    }

    private static void startWorker() {
        if (worker != null) return;
        worker = TestPlatform.startSharing(
                api,
                "try-out",
                Map.of(
                        "cronhook.try-out.concurrency", "1",
                        "cronhook.try-out.visibility-timeout", "2s",
                        "cronhook.try-out.timeout", "60s"));
    }

    private static void ensureGroup() {
        try {
            connection
                    .sync()
                    .xgroupCreate(
                            XReadArgs.StreamOffset.from(Streams.TRY_OUTS, "0"),
                            Streams.TRY_OUT_GROUP,
                            XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException e) {
            // there already
        }
    }

    /** Takes the next try-out off the stream as the named consumer of the try-out workers' group, and no more. */
    private static TryOutRequest take(String consumer) {
        var deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var messages = connection
                    .sync()
                    .xreadgroup(
                            Consumer.from(Streams.TRY_OUT_GROUP, consumer),
                            XReadArgs.Builder.block(1000).count(1),
                            XReadArgs.StreamOffset.lastConsumed(Streams.TRY_OUTS));
            if (!messages.isEmpty()) {
                return Wire.json().readValue(messages.getFirst().getBody().get("m"), TryOutRequest.class);
            }
        }
        throw new AssertionError("no try-out was queued");
    }

    private static long pending() {
        return connection
                .sync()
                .xpending(Streams.TRY_OUTS, Streams.TRY_OUT_GROUP)
                .getCount();
    }
}

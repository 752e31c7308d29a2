package dev.cronhook.app.alert;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.AlertReceiver;
import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;

/** Helpers of the alert tests: scripts with a READY build reported, run ends reported, channels, signatures. */
final class Alerts {
    static String token;

    private Alerts() {}

    static String deployedScript(TestPlatform on, String name, Map<String, Object> cron) {
        var body = new HashMap<String, Object>();
        body.put("name", name);
        body.put("code", "export default async function (event) { return event; }");
        body.put("cron", cron == null ? null : new HashMap<>(cron));
        var r = on.http.post("/api/scripts", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String id = r.json().get("id").asString();
        on.reportBuild(UUID.fromString(id), 1, BuildState.READY);
        on.awaitActive(UUID.fromString(id), 1, token, Duration.ofSeconds(10));
        return id;
    }

    static List<JsonNode> runs(TestPlatform on, String scriptId) {
        var r = on.http.get("/api/runs?limit=500&scriptId=" + scriptId, token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return StreamSupport.stream(r.json().spliterator(), false).toList();
    }

    static List<JsonNode> awaitRuns(TestPlatform on, String scriptId, Function<List<JsonNode>, Boolean> until) {
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> runs(on, scriptId), until::apply);
    }

    static List<JsonNode> incidents(TestPlatform on, String scriptId) {
        var r = on.http.get("/api/incidents?scriptId=" + scriptId, token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return StreamSupport.stream(r.json().spliterator(), false).toList();
    }

    static List<JsonNode> incidentsOf(Http http, String token, String scriptId) {
        var r = http.get("/api/incidents?scriptId=" + scriptId, token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return StreamSupport.stream(r.json().spliterator(), false).toList();
    }

    /** Starts a manual run and returns its id. */
    static UUID manualRun(TestPlatform on, String scriptId) {
        var r = on.http.post("/api/scripts/" + scriptId + "/runs", json(Map.of("event", Map.of())), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return UUID.fromString(r.json().get("id").asString());
    }

    /** Reports a run's end as an executor would; returns when it was reported. */
    static Instant report(TestPlatform on, UUID runId, RunStatus status) {
        return report(on, List.of(runId), status);
    }

    static Instant report(TestPlatform on, List<UUID> runIds, RunStatus status) {
        var now = Instant.now();
        var redis = RedisClient.create(on.redisUrl());
        try (var c = redis.connect()) {
            var queue = new RedisWorkQueue<>(
                    redis, c, Streams.RUN_RESULTS, "api", RunResult.class, Wire.json(), QueueOptions.defaults());
            for (var runId : runIds) {
                queue.enqueue(new RunResult(
                        runId,
                        status,
                        status == RunStatus.SUCCEEDED ? "{}" : null,
                        null,
                        status == RunStatus.FAILED ? "Error: it broke" : null,
                        now.minusMillis(100),
                        now));
            }
        } finally {
            redis.shutdown();
        }
        return now;
    }

    /** A signed-webhook channel (of one script when {@code scriptId} is not null); returns its id. */
    static String webhookChannel(Http http, String url, String secret, String scriptId) {
        var body = new HashMap<String, Object>();
        body.put("name", "hook " + UUID.randomUUID().toString().substring(0, 6));
        body.put("kind", "webhook");
        body.put("url", url);
        body.put("secret", secret);
        if (scriptId != null) body.put("script", scriptId);
        var r = http.post("/api/alerts/channels", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    static String channel(Http http, Map<String, Object> body) {
        var r = http.post("/api/alerts/channels", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    static JsonNode body(AlertReceiver.Received r) {
        return Wire.json().readTree(r.body());
    }

    /** What a receiver computes to check a signed alert: HMAC-SHA256 over {@code <timestamp>.<body>}. */
    static String expectedSignature(String secret, String timestamp, String body) throws Exception {
        var mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256="
                + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    static List<UUID> ids(List<JsonNode> runs) {
        var out = new ArrayList<UUID>();
        for (var r : runs) out.add(UUID.fromString(r.get("id").asString()));
        return out;
    }
}

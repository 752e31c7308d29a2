package dev.cronhook.app.run;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.api.run.QueuedRunSweep;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.redis.RedisQueues;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jobrunr.storage.StorageProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sweep of runs accepted but never queued, against the real application, PostgreSQL and Redis. A run "accepted
 * but never queued" is a QUEUED row inserted with no request on the run stream, as a process killed between its
 * INSERT and its XADD leaves it. No executor runs here, so what the sweep queues stays on the stream to be read. The
 * recurring job is set to fire once a year: only the test's own sweeps run.
 */
class QueuedRunSweepIT {
    static TestPlatform platform;
    static String token;
    static RedisClient redis;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("scheduler", Map.of("cronhook.scheduler.queued-sweep-cron", "0 0 1 1 *"));
        token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
        redis = RedisClient.create(platform.redisUrl());
    }

    @AfterAll
    static void stop() {
        if (redis != null) redis.shutdown();
        if (platform != null) platform.close();
    }

    @Test
    void aRunRecordedButNeverQueuedIsQueuedAgainWithItsRequestRebuiltFromTheDatabase() throws Exception {
        var script = deployedScript("lost-run");
        var lost = UUID.randomUUID();
        var recent = UUID.randomUUID();
        var queuedAt = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        insertQueuedRun(lost, script, 1, queuedAt);
        // within the grace: its process may still be queueing it
        insertQueuedRun(recent, script, 1, Instant.now());

        var swept = platform.bean(QueuedRunSweep.class).sweep();

        assertThat(swept.queuedAgain()).isEqualTo(1);
        var requests = queuedRequests(lost);
        assertThat(requests).hasSize(1);
        var request = requests.getFirst();
        assertThat(request.scriptId()).isEqualTo(script);
        assertThat(request.version()).isEqualTo(1);
        assertThat(request.image()).isEqualTo(imageOf(script, 1)).isNotBlank();
        assertThat(request.trigger()).isEqualTo(TriggerKind.WEBHOOK);
        assertThat(Wire.json()
                        .readTree(request.eventJson())
                        .get("body")
                        .get("n")
                        .asInt())
                .isEqualTo(7);
        assertThat(request.timeoutSeconds()).isEqualTo(42);
        assertThat(request.attempt()).isEqualTo(1);
        assertThat(request.queuedAt()).isEqualTo(queuedAt);
        assertThat(queuedRequests(recent)).isEmpty();
        assertThat(status(lost)).isEqualTo("QUEUED");

        // queued now: the next sweep finds it on the stream and leaves it there, once
        platform.bean(QueuedRunSweep.class).sweep();
        assertThat(queuedRequests(lost)).hasSize(1);
    }

    @Test
    void aRunWaitingOnTheStreamIsLeftAlone() throws Exception {
        var script = deployedScript("backlogged-run");
        var waiting = UUID.randomUUID();
        var queuedAt = Instant.now().minus(Duration.ofMinutes(5));
        insertQueuedRun(waiting, script, 1, queuedAt);
        try (var c = redis.connect()) {
            new RedisQueues(redis, c)
                    .open(QueueSpec.RUNS)
                    .enqueue(new RunRequest(
                            waiting, script, 1, imageOf(script, 1), TriggerKind.WEBHOOK, "{}", 42, 128, 1, queuedAt));
        }

        var swept = platform.bean(QueuedRunSweep.class).sweep();

        assertThat(swept.looked()).isGreaterThanOrEqualTo(1);
        assertThat(queuedRequests(waiting)).hasSize(1);
        assertThat(status(waiting)).isEqualTo("QUEUED");
    }

    @Test
    void aLostRunWhoseVersionCanNoLongerRunIsFailedWithTheReason() throws Exception {
        var script = deployedScript("lost-version");
        var lost = UUID.randomUUID();
        insertQueuedRun(lost, script, 7, Instant.now().minus(Duration.ofMinutes(5)));

        var swept = platform.bean(QueuedRunSweep.class).sweep();

        assertThat(swept.failed()).isEqualTo(1);
        assertThat(queuedRequests(lost)).isEmpty();
        var run = platform.http.get("/api/runs/" + lost, token).json();
        assertThat(run.get("status").asString()).isEqualTo("FAILED");
        assertThat(run.get("error").asString()).contains("lost before it ended").contains("version 7");
    }

    @Test
    void aRunHeldByAnExecutorThatTookItDirectlyIsLeftAloneUntilItsHoldIsGoneThenQueuedAgain() throws Exception {
        var script = deployedScript("direct-run");
        var held = UUID.randomUUID();
        // reported RUNNING by the executor of the process that accepted it, which then died
        insertRun(held, script, 1, Instant.now().minus(Duration.ofMinutes(5)), "RUNNING");
        try (var c = redis.connect()) {
            c.sync().set(Streams.directKey(held), "1", io.lettuce.core.SetArgs.Builder.px(60_000));

            platform.bean(QueuedRunSweep.class).sweep();
            assertThat(queuedRequests(held))
                    .as("held: its executor may still run it")
                    .isEmpty();

            // the hold runs out (its process died): the run is queued again, once
            c.sync().del(Streams.directKey(held));
            assertThat(platform.bean(QueuedRunSweep.class).sweep().queuedAgain())
                    .isEqualTo(1);
            platform.bean(QueuedRunSweep.class).sweep();
        }
        assertThat(queuedRequests(held)).hasSize(1);
        assertThat(status(held)).isEqualTo("RUNNING");
    }

    @Test
    void aSchedulerThatStartsQueuesAgainTheRunsLostWhileItWasDown() throws Exception {
        var script = deployedScript("lost-while-down");
        var lost = UUID.randomUUID();
        insertQueuedRun(lost, script, 1, Instant.now().minus(Duration.ofMinutes(5)));
        assertThat(queuedRequests(lost)).isEmpty();

        var restarted = TestPlatform.startSharing(
                platform, "scheduler", Map.of("cronhook.scheduler.queued-sweep-cron", "0 0 1 1 *"));
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> queuedRequests(lost).size() == 1);
        } finally {
            restarted.close();
        }
    }

    @Test
    void theSweepIsARecurringJobRunrJob() {
        var ids = platform.bean(StorageProvider.class).getRecurringJobs().stream()
                .map(j -> j.getId())
                .toList();
        assertThat(ids).contains("cronhook-sweep-queued-runs");
    }

    static UUID deployedScript(String name) {
        var body = Map.<String, Object>of(
                "name", name, "code", "export default async function (event) { return event; }", "timeoutSeconds", 42);
        var r = platform.http.post("/api/scripts", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        var id = UUID.fromString(r.json().get("id").asString());
        platform.reportBuild(id, 1, BuildState.READY);
        platform.awaitActive(id, 1, token, Duration.ofSeconds(10));
        return id;
    }

    /** A webhook run recorded QUEUED at {@code queuedAt}, as RunService inserts it, and never queued. */
    static void insertQueuedRun(UUID runId, UUID scriptId, int version, Instant queuedAt) throws Exception {
        insertRun(runId, scriptId, version, queuedAt, "QUEUED");
    }

    /** A webhook run recorded at {@code queuedAt} with {@code status}, and not on the run stream. */
    static void insertRun(UUID runId, UUID scriptId, int version, Instant queuedAt, String status) throws Exception {
        try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "");
                var insert = c.prepareStatement("INSERT INTO runs (id, script_id, owner_id, version, trigger, event,"
                        + " status, attempt, queued_at) SELECT ?, id, owner_id, ?, 'webhook', CAST(? AS JSONB),"
                        + " ?, 1, ? FROM scripts WHERE id = ?")) {
            insert.setObject(1, runId);
            insert.setInt(2, version);
            insert.setString(3, "{\"trigger\":\"webhook\",\"runId\":\"" + runId + "\",\"body\":{\"n\":7}}");
            insert.setString(4, status);
            insert.setTimestamp(5, Timestamp.from(queuedAt));
            insert.setObject(6, scriptId);
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
    }

    static String imageOf(UUID scriptId, int version) throws Exception {
        try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "");
                var select = c.prepareStatement(
                        "SELECT image_ref FROM script_versions WHERE script_id = ? AND version = ?")) {
            select.setObject(1, scriptId);
            select.setInt(2, version);
            try (var rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    static String status(UUID runId) throws Exception {
        try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "");
                var select = c.prepareStatement("SELECT status FROM runs WHERE id = ?")) {
            select.setObject(1, runId);
            try (var rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** The requests of the run on the run stream. */
    static List<RunRequest> queuedRequests(UUID runId) {
        try (var c = redis.connect()) {
            return c.sync().xrange(Streams.RUNS, Range.create("-", "+")).stream()
                    .map(m -> Wire.json().readValue(m.getBody().get(RedisWorkQueue.FIELD), RunRequest.class))
                    .filter(r -> r.runId().equals(runId))
                    .toList();
        }
    }
}

package dev.cronhook.app.schedule;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.api.schedule.DueSetReconciler;
import dev.cronhook.api.schedule.RunRetention;
import dev.cronhook.api.schedule.ScheduleRepository;
import dev.cronhook.api.schedule.jobrunr.RetryRunJob;
import dev.cronhook.api.schedule.jobrunr.RetryRunJobHandler;
import dev.cronhook.api.schedule.redis.RedisDueSet;
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
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.jobrunr.jobs.states.StateName;
import org.jobrunr.storage.StorageProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The scheduler role against the real application, PostgreSQL and Redis. No builder or executor runs: a test
 * reports a READY build on the build-results stream (so a script has an active version), and reports run results
 * on the run-results stream where a run must start or end, as an executor would.
 */
class SchedulerIT {
    static TestPlatform platform;
    static Http http;
    static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("scheduler", Map.of());
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    @Test
    void aSixFieldCronInANonUtcZoneFiresOnTheSecond() {
        var kathmandu = ZoneId.of("Asia/Kathmandu");
        int hour = ZonedDateTime.now(kathmandu).getHour();
        // every second second, but only in this hour and the next of Kathmandu (UTC+05:45): a scheduler that
        // computed in UTC would fire nothing
        String expression = "*/2 * " + hour + "," + (hour + 1) % 24 + " * * *";
        var id = deployedScript(
                platform,
                "kathmandu",
                Map.of("expression", expression, "timezone", "Asia/Kathmandu", "overlapPolicy", "allow"));

        var runs = awaitRuns(platform, id, r -> r.size() >= 3);
        for (var run : runs) {
            var scheduledAt = Instant.parse(run.get("scheduledAt").asString());
            var queuedAt = Instant.parse(run.get("queuedAt").asString());
            assertThat(run.get("trigger").asString()).isEqualTo("cron");
            assertThat(run.get("attempt").asInt()).isEqualTo(1);
            assertThat(scheduledAt.getNano()).as("on the second").isZero();
            assertThat(scheduledAt.getEpochSecond() % 2).isZero();
            assertThat(scheduledAt.atZone(kathmandu).getHour()).isIn(hour, (hour + 1) % 24);
            assertThat(queuedAt).as("never early").isAfterOrEqualTo(scheduledAt);
            assertThat(run.get("event").get("scheduledAt").asString()).isEqualTo(scheduledAt.toString());
        }
        assertThat(runs.stream().map(r -> r.get("scheduledAt").asString()).distinct())
                .hasSize(runs.size());
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void aScheduleMadeInAnotherProcessWakesASchedulerThatWouldOtherwiseSleepForMinutes() {
        // a scheduler that looks at the due-set every ten minutes unless told of a change; the script is made
        // through an api process of its own, which runs no scheduler
        var sleepy = TestPlatform.start("scheduler", Map.of("cronhook.scheduler.poll-interval", "10m"));
        var api = TestPlatform.startSharing(sleepy, "api", Map.of());
        try {
            String admin = api.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            var id = deployedScript(api, "woken", Map.of("expression", "* * * * * *", "timezone", "UTC"), admin);

            var runs = awaitRuns(api, id, admin, r -> !r.isEmpty());

            assertThat(runs.getFirst().get("trigger").asString()).isEqualTo("cron");
        } finally {
            api.close();
            sleepy.close();
        }
    }

    @Test
    void overlapSkipSkipsTicksWhileThePreviousRunIsStillRunning() throws InterruptedException {
        var id = deployedScript(platform, "overlapping", Map.of("expression", "* * * * * *", "timezone", "UTC"));
        var first = awaitRuns(platform, id, r -> !r.isEmpty()).getLast();
        var firstId = UUID.fromString(first.get("id").asString());
        reportRun(platform, firstId, RunStatus.RUNNING);

        await().atMost(Duration.ofSeconds(20)).until(() -> missedTicks(platform, id) >= 3);
        assertThat(runs(platform, id)).as("no run while the first runs").hasSize(1);

        reportRun(platform, firstId, RunStatus.SUCCEEDED);
        var after = awaitRuns(platform, id, r -> r.size() >= 2);
        assertThat(after.getFirst().get("id").asString()).isNotEqualTo(firstId.toString());
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void aFailingRunIsRetriedWithBackoffAndThenLeftFailed() throws InterruptedException {
        var body = scriptBody("flaky", Map.of("expression", "* * * * * *", "timezone", "UTC"));
        body.put("retry", Map.of("maxAttempts", 3, "initialDelaySeconds", 1, "factor", 2.0));
        var id = deploy(platform, body);
        var first = awaitRuns(platform, id, r -> !r.isEmpty()).getLast();
        // no more ticks: only retries from here on
        body.put("cron", null);
        assertThat(http.put("/api/scripts/" + id, json(body), token).status()).isEqualTo(200);
        var cronRuns = runs(platform, id);

        var failedAt1 = reportRun(platform, UUID.fromString(first.get("id").asString()), RunStatus.FAILED);
        // a repeated report (a redelivery) must not schedule a second retry
        reportRun(platform, UUID.fromString(first.get("id").asString()), RunStatus.FAILED);
        var second = awaitAttempt(id, 2);
        assertThat(Instant.parse(second.get("queuedAt").asString())).isAfterOrEqualTo(failedAt1.plusSeconds(1));
        assertThat(second.get("scheduledAt").asString())
                .isEqualTo(first.get("scheduledAt").asString());
        assertThat(second.get("trigger").asString()).isEqualTo("cron");

        var failedAt2 = reportRun(platform, UUID.fromString(second.get("id").asString()), RunStatus.TIMED_OUT);
        var third = awaitAttempt(id, 3);
        assertThat(Instant.parse(third.get("queuedAt").asString())).isAfterOrEqualTo(failedAt2.plusSeconds(2));

        reportRun(platform, UUID.fromString(third.get("id").asString()), RunStatus.FAILED);
        await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED"
                .equals(http.get("/api/runs/" + third.get("id").asString(), token)
                        .json()
                        .get("status")
                        .asString()));
        // longer than the next backoff (4 s), when this process would launch a retry itself: no fourth attempt comes
        Thread.sleep(Duration.ofSeconds(10));
        var all = runs(platform, id);
        assertThat(all).hasSize(cronRuns.size() + 2);
        assertThat(all.stream().filter(r -> r.get("attempt").asInt() == 2)).hasSize(1);
        assertThat(all.stream().map(r -> r.get("attempt").asInt())).doesNotContain(4);
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void aRetryDueBeforeJobRunrsNextLookIsLaunchedOnTimeByTheProcessThatRecordedTheFailure() throws Exception {
        // JobRunr looks for due jobs once a minute here: a retry 1 s after its failure must not wait for that look
        var rare =
                TestPlatform.start("scheduler", Map.of("jobrunr.background-job-server.poll-interval-in-seconds", "60"));
        try {
            String admin = rare.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            var body = scriptBody("soon", Map.of("expression", "* * * * * *", "timezone", "UTC"));
            body.put("retry", Map.of("maxAttempts", 2, "initialDelaySeconds", 1, "factor", 1.0));
            var id = deploy(rare, body, admin);
            var first = awaitRuns(rare, id, admin, r -> !r.isEmpty()).getLast();
            body.put("cron", null);
            assertThat(rare.http.put("/api/scripts/" + id, json(body), admin).status())
                    .isEqualTo(200);
            var firstId = UUID.fromString(first.get("id").asString());

            var failedAt = reportRun(rare, firstId, RunStatus.FAILED);
            var second = await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> attempts(rare, id, admin, 2), l -> !l.isEmpty())
                    .getFirst();

            assertThat(Instant.parse(second.get("queuedAt").asString()))
                    .isAfterOrEqualTo(failedAt.plusSeconds(1))
                    .isBefore(failedAt.plusSeconds(15));
            // the durable JobRunr job is there too (it would launch the retry had this process stopped) ...
            var jobId = UUID.nameUUIDFromBytes(("retry:" + firstId).getBytes(StandardCharsets.UTF_8));
            assertThat(rare.bean(StorageProvider.class).getJobById(jobId).getState())
                    .isIn(StateName.SCHEDULED, StateName.ENQUEUED, StateName.PROCESSING, StateName.SUCCEEDED);
            // ... and when a job server runs it, it launches nothing more
            rare.bean(RetryRunJobHandler.class).run(new RetryRunJob(firstId, Instant.now()));
            assertThat(attempts(rare, id, admin, 2)).hasSize(1);
        } finally {
            rare.close();
        }
    }

    private static List<JsonNode> attempts(TestPlatform on, String scriptId, String token, int attempt) {
        return runs(on, scriptId, token).stream()
                .filter(r -> r.get("attempt").asInt() == attempt)
                .toList();
    }

    @Test
    void twoSchedulersNeverFireTheSameTickTwice() {
        var second = TestPlatform.startSharing(platform, "scheduler", Map.of());
        try {
            var ids = new ArrayList<String>();
            for (int i = 0; i < 10; i++) {
                var body = scriptBody("twice-" + i, Map.of("expression", "* * * * * *", "overlapPolicy", "allow"));
                ((Map<String, Object>) body.get("cron")).put("timezone", "UTC");
                ids.add(deploy(platform, body));
            }
            for (var id : ids) awaitRuns(platform, id, r -> r.size() >= 5);
            for (var id : ids) {
                var ticks = runs(platform, id).stream()
                        .map(r -> r.get("scheduledAt").asString())
                        .toList();
                assertThat(new HashSet<>(ticks)).as("ticks of " + id).hasSameSizeAs(ticks);
            }
            for (var id : ids) http.delete("/api/scripts/" + id, token);
        } finally {
            second.close();
        }
    }

    @Test
    void aRestartedSchedulerCatchesUpOnceAndReportsTheMissedTicks() throws Exception {
        var first = TestPlatform.start("scheduler", Map.of());
        TestPlatform restarted = null;
        try {
            var admin = first.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            // hourly at a minute five minutes ago: the latest tick is 5 min old, so firing it is a catch-up
            var latest = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5));
            String expression = latest.atZone(ZoneId.of("UTC")).getMinute() + " * * * *";
            var runOnce = deployedScript(first, "run-once", Map.of("expression", expression, "timezone", "UTC"), admin);
            var skip = deployedScript(
                    first, "skip", Map.of("expression", expression, "timezone", "UTC", "catchUpPolicy", "skip"), admin);
            first.stop();

            // while it was stopped, three hours of ticks passed: the last three hours' and the latest
            try (var c = DriverManager.getConnection(first.jdbcUrl(), "postgres", "");
                    var s = c.prepareStatement("UPDATE schedules SET next_fire_at = ? WHERE script_id IN (?, ?)")) {
                s.setTimestamp(1, Timestamp.from(latest.minus(Duration.ofHours(3))));
                s.setObject(2, UUID.fromString(runOnce));
                s.setObject(3, UUID.fromString(skip));
                assertThat(s.executeUpdate()).isEqualTo(2);
            }
            restarted = TestPlatform.startSharing(first, "scheduler", Map.of());
            var http2 = restarted.http;
            var admin2 = http2.login("admin", TestPlatform.ADMIN_PASSWORD);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> http2.get("/api/scripts/" + skip, admin2)
                                    .json()
                                    .get("cron")
                                    .get("missedTicks")
                                    .asInt()
                            == 4);
            var caughtUp = awaitRuns(restarted, runOnce, admin2, r -> !r.isEmpty());
            assertThat(caughtUp).hasSize(1);
            assertThat(Instant.parse(caughtUp.getFirst().get("scheduledAt").asString()))
                    .isEqualTo(latest);
            assertThat(caughtUp.getFirst().get("event").get("catchUp").asBoolean())
                    .isTrue();
            var runOnceCron =
                    http2.get("/api/scripts/" + runOnce, admin2).json().get("cron");
            assertThat(runOnceCron.get("missedTicks").asInt()).isEqualTo(3);
            assertThat(runOnceCron.get("lastFiredAt").asString()).isEqualTo(latest.toString());
            assertThat(runOnceCron.get("nextFireTimes").get(0).asString())
                    .isEqualTo(latest.plus(Duration.ofHours(1)).toString());
            assertThat(runs(restarted, skip, admin2)).isEmpty();
        } finally {
            if (restarted != null) restarted.close();
            first.close();
        }
    }

    @Test
    void theDueSetFollowsCreatedChangedAndDeletedSchedules() {
        var redis = RedisClient.create(platform.redisUrl());
        try (var c = redis.connect()) {
            var id = deployedScript(platform, "followed", Map.of("expression", "0 0 1 1 *", "timezone", "UTC"));
            var nextNewYear = ZonedDateTime.now(ZoneId.of("UTC"))
                    .withDayOfYear(1)
                    .truncatedTo(ChronoUnit.DAYS)
                    .plusYears(1)
                    .toInstant();
            assertThat(c.sync().zscore(RedisDueSet.KEY, id)).isEqualTo((double) nextNewYear.toEpochMilli());

            var changed = scriptBody("followed", Map.of("expression", "0 0 2 1 *", "timezone", "UTC"));
            assertThat(http.put("/api/scripts/" + id, json(changed), token).status())
                    .isEqualTo(200);
            assertThat(c.sync().zscore(RedisDueSet.KEY, id))
                    .isEqualTo((double) nextNewYear.plus(Duration.ofDays(1)).toEpochMilli());

            changed.put("cron", null);
            http.put("/api/scripts/" + id, json(changed), token);
            assertThat(c.sync().zscore(RedisDueSet.KEY, id)).isNull();

            changed.put("cron", Map.of("expression", "0 0 1 1 *", "timezone", "UTC"));
            http.put("/api/scripts/" + id, json(changed), token);
            assertThat(c.sync().zscore(RedisDueSet.KEY, id)).isNotNull();
            assertThat(http.delete("/api/scripts/" + id, token).status()).isEqualTo(204);
            assertThat(c.sync().zscore(RedisDueSet.KEY, id)).isNull();
        } finally {
            redis.shutdown();
        }
    }

    @Test
    void reconciliationRestoresLostEntriesAndDropsStaleOnes() {
        var redis = RedisClient.create(platform.redisUrl());
        try (var c = redis.connect()) {
            var id = deployedScript(platform, "reconciled", Map.of("expression", "0 0 1 1 *", "timezone", "UTC"));
            var score = c.sync().zscore(RedisDueSet.KEY, id);
            c.sync().zrem(RedisDueSet.KEY, id);
            String stale = UUID.randomUUID().toString();
            c.sync().zadd(RedisDueSet.KEY, 1.0, stale);

            platform.bean(DueSetReconciler.class).reconcile();

            assertThat(c.sync().zscore(RedisDueSet.KEY, id)).isEqualTo(score);
            assertThat(c.sync().zscore(RedisDueSet.KEY, stale)).isNull();
            http.delete("/api/scripts/" + id, token);
        } finally {
            redis.shutdown();
        }
    }

    @Test
    void reconciliationAndRetentionAreRecurringJobRunrJobs() {
        var ids = platform.bean(StorageProvider.class).getRecurringJobs().stream()
                .map(j -> j.getId())
                .toList();
        assertThat(ids).contains("cronhook-reconcile-due-set", "cronhook-purge-runs");
    }

    @Test
    void aTickAStoppedSchedulerLeftPendingIsCountedMissedOnceUnlessItsRunWasLaunched() throws Exception {
        // two schedules a scheduler moved on and then stopped before launching: one never got its run, the other
        // got it but was not marked settled
        var lost = UUID.fromString(
                deployedScript(platform, "lost-tick", Map.of("expression", "0 0 1 1 *", "timezone", "UTC")));
        var launched = UUID.fromString(
                deployedScript(platform, "launched-tick", Map.of("expression", "0 0 1 1 *", "timezone", "UTC")));
        var tick = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
        int lostBefore = missedTicks(platform, lost.toString());
        int launchedBefore = missedTicks(platform, launched.toString());
        try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "")) {
            try (var pending = c.prepareStatement("INSERT INTO pending_ticks (tick_at, script_id) VALUES (?, ?)")) {
                for (var id : List.of(lost, launched)) {
                    pending.setTimestamp(1, Timestamp.from(tick));
                    pending.setObject(2, id);
                    assertThat(pending.executeUpdate()).isEqualTo(1);
                }
            }
            try (var run = c.prepareStatement("INSERT INTO runs (id, script_id, owner_id, version, trigger, status,"
                    + " queued_at, scheduled_at) SELECT ?, id, owner_id, 1, 'cron', 'SUCCEEDED', ?, ? FROM scripts"
                    + " WHERE id = ?")) {
                run.setObject(1, UUID.randomUUID());
                run.setTimestamp(2, Timestamp.from(tick));
                run.setTimestamp(3, Timestamp.from(tick));
                run.setObject(4, launched);
                assertThat(run.executeUpdate()).isEqualTo(1);
            }
        }

        platform.bean(DueSetReconciler.class).reconcile();
        platform.bean(DueSetReconciler.class).reconcile();

        assertThat(missedTicks(platform, lost.toString())).isEqualTo(lostBefore + 1);
        assertThat(missedTicks(platform, launched.toString())).isEqualTo(launchedBefore);
        try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "");
                var left = c.prepareStatement("SELECT count(*) FROM pending_ticks WHERE script_id IN (?, ?)")) {
            left.setObject(1, lost);
            left.setObject(2, launched);
            try (var rs = left.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("ticks still pending").isZero();
            }
        }
        http.delete("/api/scripts/" + lost, token);
        http.delete("/api/scripts/" + launched, token);
    }

    @Test
    void aTickLeftPendingIsCountedMissedEvenWhenAnotherReplicaFiredTheNextOneMeanwhile() throws Exception {
        // replica A moves the schedule past tick T and dies before launching it; replica B, meanwhile, moves it past
        // T+1 and launches that one (found by the chaos test: B's move used to overwrite A's pending tick)
        var id = UUID.fromString(
                deployedScript(platform, "overtaken-tick", Map.of("expression", "0 0 1 1 *", "timezone", "UTC")));
        var t = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
        try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "");
                var at = c.prepareStatement("UPDATE schedules SET next_fire_at = ? WHERE script_id = ?")) {
            at.setTimestamp(1, Timestamp.from(t));
            at.setObject(2, id);
            assertThat(at.executeUpdate()).isEqualTo(1);
        }
        int before = missedTicks(platform, id.toString());
        var schedules = platform.bean(ScheduleRepository.class);
        var next = t.plusSeconds(1);
        assertThat(schedules.advance(List.of(new ScheduleRepository.Advance(id, t, next, t, 0))))
                .containsExactly(id);
        assertThat(schedules.advance(List.of(
                        new ScheduleRepository.Advance(id, next, Instant.parse("2100-01-01T00:00:00Z"), next, 0))))
                .containsExactly(id);
        schedules.settled(List.of(id), next);

        platform.bean(DueSetReconciler.class).reconcile();
        platform.bean(DueSetReconciler.class).reconcile();

        assertThat(missedTicks(platform, id.toString()))
                .as("T counted missed, once")
                .isEqualTo(before + 1);
        try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "");
                var left = c.prepareStatement("SELECT count(*) FROM pending_ticks WHERE script_id = ?")) {
            left.setObject(1, id);
            try (var rs = left.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("ticks still pending").isZero();
            }
        }
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void aTickWhoseRunWasLaunchedIsNoLongerPending() throws Exception {
        var body =
                scriptBody("settled", Map.of("expression", "* * * * * *", "timezone", "UTC", "overlapPolicy", "allow"));
        var id = deploy(platform, body);
        awaitRuns(platform, id, r -> r.size() >= 2);
        // no more ticks from here on (the schedule stays, next due in January): the last one fired is settled
        body.put("cron", Map.of("expression", "0 0 1 1 *", "timezone", "UTC"));
        assertThat(http.put("/api/scripts/" + id, json(body), token).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "");
                    var q = c.prepareStatement("SELECT count(*) FROM pending_ticks WHERE script_id = ?")) {
                q.setObject(1, UUID.fromString(id));
                try (var rs = q.executeQuery()) {
                    return rs.next() && rs.getInt(1) == 0;
                }
            }
        });
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void runsOlderThanTheRetentionArePurged() throws Exception {
        var id = deployedScript(platform, "retained", Map.of("expression", "0 0 1 1 *", "timezone", "UTC"));
        var old = UUID.randomUUID();
        var recent = UUID.randomUUID();
        try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "");
                var s = c.prepareStatement(
                        "INSERT INTO runs (id, script_id, owner_id, version, trigger, status,"
                                + " queued_at) SELECT ?, id, owner_id, 1, 'manual', 'SUCCEEDED', ? FROM scripts WHERE id = ?")) {
            for (var run : List.of(Map.entry(old, Duration.ofDays(31)), Map.entry(recent, Duration.ofDays(29)))) {
                s.setObject(1, run.getKey());
                s.setTimestamp(2, Timestamp.from(Instant.now().minus(run.getValue())));
                s.setObject(3, UUID.fromString(id));
                s.executeUpdate();
            }
            try (var lines = c.prepareStatement(
                    "INSERT INTO log_lines (log_id, seq, time, stream, text) VALUES (?, 0, ?, 'stdout', 'a line')")) {
                for (var run : List.of(Map.entry(old, Duration.ofDays(31)), Map.entry(recent, Duration.ofDays(29)))) {
                    lines.setString(1, "run/" + run.getKey());
                    lines.setTimestamp(2, Timestamp.from(Instant.now().minus(run.getValue())));
                    lines.executeUpdate();
                }
            }
        }
        assertThat(platform.bean(RunRetention.class).purge()).isGreaterThanOrEqualTo(1);
        assertThat(http.get("/api/runs/" + old, token).status()).isEqualTo(404);
        assertThat(http.get("/api/runs/" + recent, token).status()).isEqualTo(200);
        try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "");
                var s = c.prepareStatement("SELECT log_id FROM log_lines WHERE log_id IN (?, ?)")) {
            s.setString(1, "run/" + old);
            s.setString(2, "run/" + recent);
            var rs = s.executeQuery();
            var kept = new java.util.ArrayList<String>();
            while (rs.next()) kept.add(rs.getString(1));
            assertThat(kept)
                    .as("the old run's log lines are purged, the recent one's kept")
                    .containsExactly("run/" + recent);
        }
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void retrySettingsAreValidatedAndShown() {
        var body = scriptBody("retry-settings", null);
        body.put("retry", Map.of("maxAttempts", 0, "initialDelaySeconds", 0, "factor", 0.5));
        var bad = http.post("/api/scripts", json(body), token);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text()).contains("retry.maxAttempts", "retry.initialDelaySeconds", "retry.factor");

        body.put("retry", Map.of("maxAttempts", 4, "initialDelaySeconds", 30));
        var created = http.post("/api/scripts", json(body), token);
        assertThat(created.status()).isEqualTo(201);
        var retry = created.json().get("retry");
        assertThat(retry.get("maxAttempts").asInt()).isEqualTo(4);
        assertThat(retry.get("initialDelaySeconds").asInt()).isEqualTo(30);
        assertThat(retry.get("factor").asDouble()).isEqualTo(2.0);
        http.delete("/api/scripts/" + created.json().get("id").asString(), token);
    }

    // --- helpers

    private JsonNode awaitAttempt(String scriptId, int attempt) {
        return awaitRuns(platform, scriptId, r -> r.stream()
                        .anyMatch(x -> x.get("attempt").asInt() == attempt))
                .stream()
                .filter(x -> x.get("attempt").asInt() == attempt)
                .findFirst()
                .orElseThrow();
    }

    static Map<String, Object> scriptBody(String name, Map<String, Object> cron) {
        var body = new HashMap<String, Object>();
        body.put("name", name);
        body.put("code", "export default async function (event) { return event; }");
        body.put("cron", cron == null ? null : new HashMap<>(cron));
        return body;
    }

    static String deployedScript(TestPlatform on, String name, Map<String, Object> cron) {
        return deployedScript(on, name, cron, token);
    }

    static String deployedScript(TestPlatform on, String name, Map<String, Object> cron, String token) {
        return deploy(on, scriptBody(name, cron), token);
    }

    static String deploy(TestPlatform on, Map<String, Object> body) {
        return deploy(on, body, token);
    }

    static String deploy(TestPlatform on, Map<String, Object> body, String token) {
        var r = on.http.post("/api/scripts", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String id = r.json().get("id").asString();
        reportBuild(on, UUID.fromString(id));
        on.awaitActive(UUID.fromString(id), 1, token, Duration.ofSeconds(10));
        return id;
    }

    static List<JsonNode> runs(TestPlatform on, String scriptId) {
        return runs(on, scriptId, token);
    }

    static List<JsonNode> runs(TestPlatform on, String scriptId, String token) {
        var r = on.http.get("/api/runs?limit=500&scriptId=" + scriptId, token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return StreamSupport.stream(r.json().spliterator(), false).toList();
    }

    static List<JsonNode> awaitRuns(TestPlatform on, String scriptId, Function<List<JsonNode>, Boolean> until) {
        return awaitRuns(on, scriptId, token, until);
    }

    static List<JsonNode> awaitRuns(
            TestPlatform on, String scriptId, String token, Function<List<JsonNode>, Boolean> until) {
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> runs(on, scriptId, token), until::apply);
    }

    static int missedTicks(TestPlatform on, String scriptId) {
        return on.http
                .get("/api/scripts/" + scriptId, token)
                .json()
                .get("cron")
                .get("missedTicks")
                .asInt();
    }

    static void reportBuild(TestPlatform on, UUID scriptId) {
        on.reportBuild(scriptId, 1, BuildState.READY);
    }

    /** Reports a run's status as an executor would; returns the time it reported (the finish time if final). */
    static Instant reportRun(TestPlatform on, UUID runId, RunStatus status) {
        var now = Instant.now();
        var redis = RedisClient.create(on.redisUrl());
        try (var c = redis.connect()) {
            new RedisWorkQueue<>(
                            redis, c, Streams.RUN_RESULTS, "api", RunResult.class, Wire.json(), QueueOptions.defaults())
                    .enqueue(new RunResult(
                            runId,
                            status,
                            status == RunStatus.SUCCEEDED ? "{}" : null,
                            null,
                            status == RunStatus.FAILED || status == RunStatus.TIMED_OUT ? "it broke" : null,
                            now.minusMillis(100),
                            status.isFinal() ? now : null));
        } finally {
            redis.shutdown();
        }
        return now;
    }
}

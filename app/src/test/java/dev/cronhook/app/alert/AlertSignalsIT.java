package dev.cronhook.app.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.AlertReceiver;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The rules other than a failed run, against the real application: cron ticks missed while no scheduler ran (the
 * incident opens with TICK_MISSED, and the late catch-up joins it), and a run whose secrets were unavailable.
 */
class AlertSignalsIT {

    @Test
    void ticksMissedWhileNoSchedulerRanOpenAnIncidentThatAlertsOnce() throws Exception {
        var receiver = new AlertReceiver();
        var home =
                java.nio.file.Files.createTempDirectory("cronhook-it-signals-").toString();
        var settings = Map.of("cronhook.egress.allow-private", "127.0.0.1/32", "cronhook.home", home);
        var first = TestPlatform.start("scheduler", settings);
        TestPlatform restarted = null;
        try {
            Alerts.token = first.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            // hourly, at a minute five minutes ago
            var latest = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5));
            String expression = latest.atZone(ZoneId.of("UTC")).getMinute() + " * * * *";
            var id = Alerts.deployedScript(first, "hourly", Map.of("expression", expression, "timezone", "UTC"));
            Alerts.webhookChannel(first.http, receiver.url("/missed"), "missed-secret-0123456789", id);
            first.stop();
            // three hours of ticks pass while no scheduler runs
            try (var c = DriverManager.getConnection(first.jdbcUrl(), "postgres", "");
                    var s = c.prepareStatement("UPDATE schedules SET next_fire_at = ? WHERE script_id = ?")) {
                s.setTimestamp(1, Timestamp.from(latest.minus(Duration.ofHours(3))));
                s.setObject(2, UUID.fromString(id));
                assertThat(s.executeUpdate()).isEqualTo(1);
            }
            restarted = TestPlatform.startSharing(first, "scheduler", settings);
            Alerts.token = restarted.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> receiver.received("/missed").size() == 1);
            var alert = Alerts.body(receiver.received("/missed").getFirst());
            assertThat(alert.get("signal").asString()).isEqualTo("TICK_MISSED");
            assertThat(alert.get("detail").asString()).contains("tick(s) missed");
            // the catch-up run five minutes after its tick is late too: it joins the incident, no second alert
            var on = restarted;
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            Alerts.incidents(on, id).getFirst().get("signals").asInt() >= 2);
            assertThat(receiver.received("/missed")).hasSize(1);
        } finally {
            if (restarted != null) restarted.stop();
            first.close();
            receiver.close();
        }
    }

    @Test
    void aRunWhoseSecretsWereUnavailableAlertsWithThatReason() {
        var receiver = new AlertReceiver();
        var platform = TestPlatform.start("scheduler", Map.of("cronhook.egress.allow-private", "127.0.0.1/32"));
        try {
            Alerts.token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            var id = Alerts.deployedScript(platform, "secretive", null);
            Alerts.webhookChannel(platform.http, receiver.url("/secrets"), "secrets-secret-0123456789", id);
            var run = Alerts.manualRun(platform, id);
            // as the executor reports it when the api cannot give a run its secrets
            var redis = RedisClient.create(platform.redisUrl());
            try (var c = redis.connect()) {
                new RedisWorkQueue<>(
                                redis,
                                c,
                                Streams.RUN_RESULTS,
                                "api",
                                RunResult.class,
                                Wire.json(),
                                QueueOptions.defaults())
                        .enqueue(new RunResult(
                                run,
                                RunStatus.FAILED,
                                null,
                                null,
                                "secrets unavailable: the api answered 503",
                                Instant.now(),
                                Instant.now()));
            } finally {
                redis.shutdown();
            }
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.received("/secrets").size() == 1);
            var alert = Alerts.body(receiver.received("/secrets").getFirst());
            assertThat(alert.get("signal").asString()).isEqualTo("SECRETS_UNAVAILABLE");
            assertThat(alert.get("text").asString()).contains("secrets were unavailable");
        } finally {
            platform.close();
            receiver.close();
        }
    }
}

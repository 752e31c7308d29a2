package dev.cronhook.bench;

import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * Cron lateness with many schedules: starts the packaged app with the scheduler role (no executors: runs stay
 * QUEUED), creates N scripts each firing once a minute at second i mod 60 (6-field crons, overlap allow), deploys
 * them by reporting READY builds, then measures lateness = queued_at - scheduled_at of every cron run whose tick
 * fell in a measuring window. Arguments: app jar, schedules (10000), window seconds (120).
 */
public final class CronLatencyBench {
    private static final String PG =
            System.getenv().getOrDefault("CRONHOOK_BENCH_PG", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String REDIS =
            System.getenv().getOrDefault("CRONHOOK_BENCH_REDIS", "redis://127.0.0.1:6379/14");
    private static final String PASSWORD = "bench-admin-password";
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int schedules = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int windowSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 120;
        String db = "cronhook_bench_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        try (var c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        var redis = RedisClient.create(REDIS);
        try (var c = redis.connect()) {
            c.sync().flushdb();
        }
        int port = 18_000 + (int) (ProcessHandle.current().pid() % 1000);
        var log = Path.of("target", "cron-bench-app.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        var app = new ProcessBuilder(
                        System.getProperty("java.home") + "/bin/java",
                        "-Xms1g",
                        "-Xmx1g",
                        "-Xlog:gc:file=" + log.resolveSibling("cron-bench-gc.log"),
                        "-jar",
                        jar.toString(),
                        "--cronhook.roles=scheduler",
                        "--cronhook.home=" + Files.createTempDirectory("cronhook-bench-"),
                        "--cronhook.db.url=" + PG + db,
                        "--cronhook.db.username=postgres",
                        "--cronhook.redis.url=" + REDIS,
                        "--cronhook.admin-password=" + PASSWORD,
                        "--server.port=" + port)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            var base = "http://127.0.0.1:" + port;
            var http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            String token = waitForLogin(http, base);
            System.out.printf("app up (pid %d, log %s); creating %d schedules%n", app.pid(), log, schedules);

            var created = Instant.now();
            var ids = createScripts(http, base, token, schedules);
            try (var c = redis.connect()) {
                var results = new RedisWorkQueue<>(
                        redis,
                        c,
                        Streams.BUILD_RESULTS,
                        "api",
                        BuildResult.class,
                        Wire.json(),
                        QueueOptions.defaults());
                for (var id : ids) {
                    results.enqueue(new BuildResult(
                            id,
                            1,
                            BuildState.READY,
                            "{}",
                            "registry.bench/" + id + ":v1",
                            "sha256:" + "b".repeat(64),
                            null,
                            null,
                            Instant.now()));
                }
            }
            try (var c = DriverManager.getConnection(PG + db, "postgres", "")) {
                while (count(c, "SELECT count(*) FROM scripts WHERE active_version IS NOT NULL") < schedules) {
                    Thread.sleep(500);
                }
                System.out.printf(
                        "%d scripts created and deployed in %d s%n",
                        schedules, Duration.between(created, Instant.now()).toSeconds());

                // measure whole minutes from the next minute on, so every schedule fires the same number of times
                var from = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
                var until = from.plusSeconds(windowSeconds);
                long missedBefore = count(c, "SELECT COALESCE(sum(missed_ticks), 0) FROM schedules");
                System.out.printf("measuring ticks in [%s, %s)%n", from, until);
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), until).toMillis()) + 5_000);
                report(c, from, until, schedules, windowSeconds, missedBefore);
                reportStream(redis, from, until);
            }
        } finally {
            app.destroy();
            app.waitFor();
            redis.shutdown();
            try (var c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                    var s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    private static void report(
            Connection c, Instant from, Instant until, int schedules, int windowSeconds, long missedBefore)
            throws SQLException {
        try (var s = c.prepareStatement("SELECT count(*), count(DISTINCT (script_id, scheduled_at)),"
                + " percentile_cont(0.5) WITHIN GROUP (ORDER BY lat), percentile_cont(0.99) WITHIN GROUP (ORDER BY lat),"
                + " percentile_cont(0.999) WITHIN GROUP (ORDER BY lat), max(lat), min(lat)"
                + " FROM (SELECT script_id, scheduled_at, EXTRACT(EPOCH FROM queued_at - scheduled_at) * 1000 AS lat"
                + " FROM runs WHERE trigger = 'cron' AND scheduled_at >= ? AND scheduled_at < ?) x")) {
            s.setTimestamp(1, Timestamp.from(from));
            s.setTimestamp(2, Timestamp.from(until));
            try (var rs = s.executeQuery()) {
                rs.next();
                long expected = (long) schedules * windowSeconds / 60;
                System.out.printf(
                        "runs %d (expected %d, distinct ticks %d), missed ticks %d%n"
                                + "lateness ms: p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  min %.1f%n",
                        rs.getLong(1),
                        expected,
                        rs.getLong(2),
                        count(c, "SELECT COALESCE(sum(missed_ticks), 0) FROM schedules") - missedBefore,
                        rs.getDouble(3),
                        rs.getDouble(4),
                        rs.getDouble(5),
                        rs.getDouble(6),
                        rs.getDouble(7));
            }
        }
        try (var s = c.prepareStatement("SELECT scheduled_at, count(*),"
                + " max(EXTRACT(EPOCH FROM queued_at - scheduled_at) * 1000) AS worst FROM runs"
                + " WHERE trigger = 'cron' AND scheduled_at >= ? AND scheduled_at < ?"
                + " GROUP BY scheduled_at ORDER BY worst DESC LIMIT 5")) {
            s.setTimestamp(1, Timestamp.from(from));
            s.setTimestamp(2, Timestamp.from(until));
            try (var rs = s.executeQuery()) {
                System.out.print("worst ticks:");
                while (rs.next()) {
                    System.out.printf(
                            " %s (%d runs, max %.0f ms)",
                            rs.getTimestamp(1).toInstant(), rs.getLong(2), rs.getDouble(3));
                }
                System.out.println();
            }
        }
    }

    /**
     * Lateness as the queue saw it: a stream entry's id is the Redis server's clock (ms) when the request was
     * appended, so this counts the whole launch, not only the time the run row was stamped.
     */
    private static void reportStream(RedisClient redis, Instant from, Instant until) {
        var lateness = new ArrayList<Long>();
        try (var c = redis.connect()) {
            String start = Long.toString(from.toEpochMilli());
            String end = Long.toString(until.plusSeconds(30).toEpochMilli());
            while (true) {
                var page = c.sync()
                        .xrange(
                                Streams.RUNS,
                                io.lettuce.core.Range.create(start, end),
                                io.lettuce.core.Limit.from(5000));
                for (var m : page) {
                    var request = Wire.json().readValue(m.getBody().get("m"), RunRequest.class);
                    var event = Wire.json().readTree(request.eventJson());
                    if (!event.has("scheduledAt")) continue;
                    var scheduledAt = Instant.parse(event.get("scheduledAt").asString());
                    if (scheduledAt.isBefore(from) || !scheduledAt.isBefore(until)) continue;
                    long appended =
                            Long.parseLong(m.getId().substring(0, m.getId().indexOf('-')));
                    lateness.add(appended - scheduledAt.toEpochMilli());
                }
                if (page.size() < 5000) break;
                start = "(" + page.getLast().getId();
            }
        }
        lateness.sort(null);
        if (lateness.isEmpty()) return;
        System.out.printf(
                "queued on the stream: %d requests, lateness ms: p50 %d  p99 %d  p99.9 %d  max %d  min %d%n",
                lateness.size(),
                lateness.get(lateness.size() / 2),
                lateness.get((int) (lateness.size() * 0.99)),
                lateness.get((int) (lateness.size() * 0.999)),
                lateness.getLast(),
                lateness.getFirst());
    }

    private static List<UUID> createScripts(HttpClient http, String base, String token, int n) throws Exception {
        var ids = new ArrayList<UUID>(n);
        var permits = new Semaphore(8);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<java.util.concurrent.Future<UUID>>(n);
            for (int i = 0; i < n; i++) {
                int second = i % 60;
                String body = "{\"name\":\"bench-" + i + "\",\"code\":\"export default async () => 1\","
                        + "\"webhook\":false,\"cron\":{\"expression\":\"" + second + " * * * * *\","
                        + "\"timezone\":\"UTC\",\"overlapPolicy\":\"allow\"}}";
                futures.add(pool.submit(() -> {
                    permits.acquire();
                    try {
                        var r = http.send(
                                HttpRequest.newBuilder(URI.create(base + "/api/scripts"))
                                        .header("Authorization", "Bearer " + token)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 201) throw new IllegalStateException(r.statusCode() + " " + r.body());
                        var m = ID.matcher(r.body());
                        if (!m.find()) throw new IllegalStateException(r.body());
                        return UUID.fromString(m.group(1));
                    } finally {
                        permits.release();
                    }
                }));
            }
            for (var f : futures) ids.add(f.get());
        }
        return ids;
    }

    private static String waitForLogin(HttpClient http, String base) throws InterruptedException {
        var deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            try {
                var r = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/auth/login"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                var m = TOKEN.matcher(r.body());
                if (r.statusCode() == 200 && m.find()) return m.group(1);
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the app did not come up; see target/cron-bench-app.log");
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (var s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private CronLatencyBench() {}
}

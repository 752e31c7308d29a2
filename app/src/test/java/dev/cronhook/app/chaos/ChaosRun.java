package dev.cronhook.app.chaos;

import static dev.cronhook.app.testing.Http.json;

import dev.cronhook.app.testing.Http;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * The chaos run of issue 23: a {@link SplitDeployment} under webhook load (sync and async) and cron schedules firing
 * every second; every ten seconds a random process is killed with SIGKILL and started again, and once each Redis and
 * PostgreSQL are restarted. Then the platform is left to quiesce and {@link GroundTruth} counts. Shared by the
 * {@code ChaosIT} (two minutes) and {@code bench/chaos/run.sh} (ten minutes), which set it through system properties.
 */
final class ChaosRun {
    /** What the run was given. */
    record Settings(
            Duration duration,
            int schedules,
            double callsPerSecond,
            Duration killEvery,
            Duration claimLease,
            long seed,
            Path jar) {

        static Settings fromSystemProperties() {
            return new Settings(
                    Duration.parse(System.getProperty("cronhook.chaos.duration", "PT2M")),
                    Integer.getInteger("cronhook.chaos.schedules", 20),
                    Double.parseDouble(System.getProperty("cronhook.chaos.calls-per-second", "20")),
                    Duration.parse(System.getProperty("cronhook.chaos.kill-every", "PT10S")),
                    Duration.parse(System.getProperty("cronhook.chaos.claim-lease", "PT15S")),
                    Long.getLong("cronhook.chaos.seed", System.nanoTime()),
                    findJar());
        }

        private static Path findJar() {
            for (var dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                for (var target : List.of(dir.resolve("target"), dir.resolve("app/target"))) {
                    if (!Files.isDirectory(target)) continue;
                    try (var files = Files.list(target)) {
                        var found = files.filter(f -> f.getFileName().toString().matches("cronhook-app-.*\\.jar"))
                                .filter(f -> !f.getFileName().toString().endsWith("-sources.jar"))
                                .findFirst();
                        if (found.isPresent()) return found.get();
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            throw new IllegalStateException("no app/target/cronhook-app-*.jar: package the app first");
        }
    }

    /** Something the chaos did, and when. */
    record Event(Instant at, String what) {}

    /** The outcome: the counts and everything the report says. */
    record Outcome(GroundTruth.Counts counts, String report) {}

    static final String SYNC_SCRIPT = """
            export default async function (event, ctx) {
              await fetch("http://%s/exec?run=" + ctx.runId);
              return { call: event.body?.call ?? null };
            }
            """.formatted(SplitDeployment.COUNTER_HOST);

    static final String ASYNC_SCRIPT = """
            export default async function (event, ctx) {
              await fetch("http://%s/exec?run=" + ctx.runId);
              await new Promise((resolve) => setTimeout(resolve, 500));
              return { call: event.body?.call ?? null };
            }
            """.formatted(SplitDeployment.COUNTER_HOST);

    static final String CRON_SCRIPT = """
            export default async function (event, ctx) {
              await fetch("http://%s/exec?run=" + ctx.runId);
              return { tick: event.scheduledAt ?? null };
            }
            """.formatted(SplitDeployment.COUNTER_HOST);

    private final Settings settings;
    private final List<Event> events = new ArrayList<>();
    private final Random random;

    ChaosRun(Settings settings) {
        this.settings = settings;
        this.random = new Random(settings.seed());
    }

    Outcome run() throws Exception {
        Instant began = Instant.now();
        try (var counter = new ExecutionCounter();
                var deployment = new SplitDeployment(
                        settings.jar(),
                        counter.port(),
                        Map.of(
                                "CRONHOOK_SCHEDULER_CLAIM_LEASE",
                                settings.claimLease().toSeconds() + "s",
                                // the queued-run sweep of the last scheduler start looks at runs older than this
                                "CRONHOOK_SCHEDULER_QUEUED_GRACE",
                                settings.claimLease().toSeconds() + "s",
                                "CRONHOOK_EXECUTOR_MAX_WARM",
                                Integer.toString(settings.schedules() + 10),
                                "CRONHOOK_EXECUTOR_MAX_WARM_PER_SCRIPT",
                                "2",
                                "CRONHOOK_WEBHOOKS_RATE_LIMIT_PER_SECOND",
                                "1000"))) {
            note("deployment in " + deployment.dir + ": PostgreSQL on " + deployment.postgres.port() + ", Redis on "
                    + deployment.redis.port() + ", seed " + settings.seed());
            deployment.start();
            note("all " + deployment.processes.size() + " processes ready");

            var http = new Http(deployment.apiUrl());
            String token = http.login("admin", SplitDeployment.ADMIN_PASSWORD);
            var egress = Map.of("allow", List.of(SplitDeployment.COUNTER_HOST));
            String sync = create(http, token, Map.of("name", "chaos-sync", "code", SYNC_SCRIPT, "egress", egress));
            String async = create(http, token, Map.of("name", "chaos-async", "code", ASYNC_SCRIPT, "egress", egress));
            var cronScripts = new LinkedHashSet<String>();
            for (int i = 0; i < settings.schedules(); i++) {
                var cron = Map.of(
                        "expression", "* * * * * *", "timezone", "UTC", "overlapPolicy", i % 2 == 0 ? "allow" : "skip");
                cronScripts.add(create(
                        http,
                        token,
                        Map.of("name", "chaos-cron-" + i, "code", CRON_SCRIPT, "egress", egress, "cron", cron)));
            }
            var all = new ArrayList<String>(cronScripts);
            all.add(sync);
            all.add(async);
            awaitDeployed(http, token, all, Duration.ofMinutes(10));
            note("all " + all.size() + " scripts built and deployed");

            var load = new WebhookLoad(
                    List.of(
                            new WebhookLoad.Target(hook(http, token, sync, deployment), true),
                            new WebhookLoad.Target(hook(http, token, async, deployment), false)),
                    settings.callsPerSecond());
            load.start();
            note("webhook load started: " + settings.callsPerSecond() + " calls/s, half sync, half async");

            Instant lastSchedulerKill = chaos(deployment);

            load.stop();
            note("chaos over; webhook load stopped: " + load.sent() + " calls, "
                    + load.accepted().size() + " accepted");
            deployment.heal();
            note("every process is running and ready again");

            // the schedulers stop gracefully; once a killed one's claims have run out, and the last run made before
            // they stopped is older than the queued-run sweep's grace (the same duration here), one more start
            // reconciles (ticks a killed scheduler left pending are counted, runs a killed process left unqueued are
            // queued), and it stops gracefully again
            deployment.process("scheduler-1").stop();
            deployment.process("scheduler-2").stop();
            note("schedulers stopped (SIGTERM)");
            var stopped = Instant.now();
            var settled = java.util.Collections.max(List.of(lastSchedulerKill, stopped))
                    .plus(settings.claimLease())
                    .plusSeconds(2);
            while (Instant.now().isBefore(settled)) Thread.sleep(200);
            var last = deployment.process("scheduler-1");
            last.start();
            last.awaitReady(Duration.ofMinutes(10));
            Thread.sleep(5000);
            last.stop();
            note("scheduler-1 started once more to reconcile, and stopped (SIGTERM)");

            awaitQuiet(deployment, Duration.ofMinutes(10));
            var counts = GroundTruth.count(
                    deployment.postgres.jdbcUrl(),
                    deployment.postgres.username(),
                    load.accepted(),
                    counter.executions(),
                    cronScripts);
            String report = report(began, deployment, load, counts);
            return new Outcome(counts, report);
        }
    }

    /** Kills a random process every {@code killEvery}; restarts Redis at a third and PostgreSQL at two thirds. */
    private Instant chaos(SplitDeployment deployment) throws Exception {
        long start = System.nanoTime();
        long end = start + settings.duration().toNanos();
        long every = settings.killEvery().toNanos();
        long redisAt = start + settings.duration().toNanos() / 3 + every / 2;
        long postgresAt = start + 2 * settings.duration().toNanos() / 3 + every / 2;
        boolean redisDone = false, postgresDone = false;
        Instant lastSchedulerKill = Instant.now();
        for (long next = start + every; next < end; next += every) {
            if (!redisDone && redisAt < next) {
                sleepUntil(redisAt);
                deployment.redis.stop();
                note("Redis stopped (SIGTERM)");
                deployment.redis.start();
                note("Redis started again on its data");
                redisDone = true;
            }
            if (!postgresDone && postgresAt < next) {
                sleepUntil(postgresAt);
                deployment.postgres.kill();
                note("PostgreSQL killed (SIGKILL)");
                deployment.postgres.start();
                note("PostgreSQL started again on its data (crash recovery)");
                postgresDone = true;
            }
            sleepUntil(next);
            var victim = deployment.processes.get(random.nextInt(deployment.processes.size()));
            long pid = victim.pid();
            boolean wasReady = victim.alive() && victim.ready();
            victim.kill();
            victim.start();
            if (victim.name.startsWith("scheduler")) lastSchedulerKill = Instant.now();
            note("killed " + victim.name + " (pid " + pid + (wasReady ? "" : ", still starting") + ") with SIGKILL"
                    + " and started it again (pid " + victim.pid() + ")");
        }
        sleepUntil(end);
        return lastSchedulerKill;
    }

    /** Waits until no run is QUEUED or RUNNING any more, or the time is up. */
    private void awaitQuiet(SplitDeployment deployment, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        int active = -1;
        while (System.nanoTime() < deadline) {
            try (var c = DriverManager.getConnection(
                            deployment.postgres.jdbcUrl(), deployment.postgres.username(), "");
                    var st = c.prepareStatement("SELECT count(*) FROM runs WHERE status IN ('QUEUED', 'RUNNING')");
                    var rs = st.executeQuery()) {
                rs.next();
                active = rs.getInt(1);
            }
            if (active == 0) {
                note("quiet: no run queued or running");
                return;
            }
            Thread.sleep(2000);
        }
        note("still " + active + " run(s) queued or running after " + within + ": counted as they stand");
    }

    private static String create(Http http, String token, Map<String, Object> body) {
        var r = http.post("/api/scripts", json(body), token);
        if (r.status() != 201) throw new IllegalStateException("creating " + body.get("name") + ": " + r);
        return r.json().get("id").asString();
    }

    private static void awaitDeployed(Http http, String token, List<String> ids, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        var waiting = new LinkedHashSet<>(ids);
        while (!waiting.isEmpty()) {
            if (System.nanoTime() > deadline)
                throw new IllegalStateException(waiting.size() + " scripts not deployed within " + within);
            for (var it = waiting.iterator(); it.hasNext(); ) {
                var script = http.get("/api/scripts/" + it.next(), token);
                if (script.status() == 200
                        && script.json().path("activeVersion").asInt(0) == 1) it.remove();
                else if (script.status() == 200
                        && "FAILED".equals(script.json().path("buildState").asString("")))
                    throw new IllegalStateException("a chaos script's build failed: " + script);
            }
            if (!waiting.isEmpty()) Thread.sleep(1000);
        }
    }

    /** The script's webhook URL, on the api replicas' service. */
    private static String hook(Http http, String token, String id, SplitDeployment deployment) {
        var url = URI.create(
                http.get("/api/scripts/" + id, token).json().get("webhookUrl").asString());
        return deployment.apiUrl() + url.getPath();
    }

    private static void sleepUntil(long nanoTime) {
        for (long wait; (wait = nanoTime - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
    }

    private synchronized void note(String what) {
        var event = new Event(Instant.now().truncatedTo(ChronoUnit.MILLIS), what);
        events.add(event);
        System.out.println("[chaos] " + event.at() + " " + what);
    }

    private String report(Instant began, SplitDeployment deployment, WebhookLoad load, GroundTruth.Counts counts)
            throws Exception {
        var r = new StringBuilder();
        r.append("## Chaos run of ").append(began).append("\n\n");
        r.append("- machine: ").append(machine()).append('\n');
        r.append("- settings: ")
                .append(settings.duration())
                .append(" of chaos, ")
                .append(settings.schedules())
                .append(" cron schedules `* * * * * *` (every second; half overlap allow, half skip), ")
                .append(settings.callsPerSecond())
                .append(" webhook calls/s (half sync, half async), a random process killed every ")
                .append(settings.killEvery())
                .append(", scheduler claim lease ")
                .append(settings.claimLease())
                .append(", seed ")
                .append(settings.seed())
                .append('\n');
        r.append("- processes: ");
        r.append(
                String.join(", ", deployment.processes.stream().map(p -> p.name).toList()));
        r.append("; PostgreSQL and Redis of the run's own; Docker executors, registry builder\n\n");
        r.append("| count | value |\n|---|---|\n");
        row(r, "webhook calls sent", load.sent());
        row(r, "webhook calls not sent (200 calls in flight already)", load.skipped());
        row(r, "webhook calls accepted (an answer naming a run)", counts.accepted());
        row(r, "webhook calls never accepted (after 5 attempts)", load.refused().size());
        row(r, "**accepted runs lost** (missing, or never ended)", counts.acceptedLost());
        row(r, "**runs recorded twice** (one call, two runs)", counts.recordedTwice());
        row(r, "**cron ticks fired twice**", counts.ticksFiredTwice());
        row(r, "**ticks missed without being counted**", counts.ticksMissedUncounted());
        row(r, "cron runs that never ended", counts.cronRunsUnfinished());
        row(r, "webhook runs that never ended (accepted or not)", counts.webhookRunsUnfinished());
        row(r, "ticks due in the window", counts.ticksExpected());
        row(r, "ticks with a cron run", counts.ticksWithRun());
        row(r, "ticks counted missed (`missed_ticks`)", counts.ticksMissedCounted());
        row(r, "ticks counted skipped (`skipped_ticks`)", counts.ticksSkippedCounted());
        row(r, "ticks counted more than once (a run and a count)", counts.ticksCountedTwice());
        row(r, "ticks still pending at the end", counts.pendingAtEnd());
        row(r, "runs executed more than once (at-least-once delivery)", counts.runsExecutedMoreThanOnce());
        row(r, "repeated executions in all", counts.repeatedExecutions());
        row(r, "succeeded runs with no execution reported", counts.finishedRunsNeverExecuted());
        r.append("\nRuns by trigger and status: ")
                .append(counts.runsByTriggerAndStatus())
                .append('\n');
        r.append("\nRuns that failed or timed out, by error (the ten most frequent): ")
                .append(counts.unsuccessfulByError())
                .append('\n');
        r.append("\nWebhook answers by status over all attempts (-1: no answer): ")
                .append(load.statuses())
                .append('\n');
        examples(r, "Lost", counts.acceptedLostExamples());
        examples(r, "Recorded twice", counts.recordedTwiceExamples());
        examples(r, "Fired twice", counts.firedTwiceExamples());
        examples(r, "Ticks not accounted for", counts.uncountedExamples());
        examples(r, "Executed more than once", counts.repeatedExamples());
        if (!load.refused().isEmpty()) {
            var byStatus = new HashMap<Integer, Integer>();
            for (var x : load.refused()) byStatus.merge(x.lastStatus(), 1, Integer::sum);
            r.append("\nCalls never accepted, by the status of their last attempt: ")
                    .append(byStatus)
                    .append("; e.g. ")
                    .append(load.refused().getFirst())
                    .append('\n');
        }
        r.append("\nWhat happened when:\n\n");
        synchronized (this) {
            for (var e : events)
                r.append("- ").append(e.at()).append(' ').append(e.what()).append('\n');
        }
        return r.toString();
    }

    private static void row(StringBuilder r, String what, long value) {
        r.append("| ").append(what).append(" | ").append(value).append(" |\n");
    }

    private static void examples(StringBuilder r, String title, List<String> examples) {
        if (examples.isEmpty()) return;
        r.append('\n').append(title).append(":\n");
        for (var e : examples) r.append("- ").append(e).append('\n');
    }

    private static String machine() throws Exception {
        var uname = new ProcessBuilder("uname", "-srm").start();
        String kernel = new String(uname.getInputStream().readAllBytes()).strip();
        uname.waitFor();
        long memory = 0;
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) memory = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + memory + " MB, " + kernel + ", Java "
                + Runtime.version();
    }
}

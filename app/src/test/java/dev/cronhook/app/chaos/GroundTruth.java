package dev.cronhook.app.chaos;

import dev.cronhook.api.script.CronSchedule;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the chaos run counts, from ground truth: the calls the load generator saw accepted, the executions the
 * scripts reported to the {@link ExecutionCounter}, and the rows of the deployment's own PostgreSQL once the platform
 * has quiesced.
 */
final class GroundTruth {
    /** The counts; the first five must be zero. */
    record Counts(
            int accepted,
            int acceptedLost,
            List<String> acceptedLostExamples,
            int recordedTwice,
            List<String> recordedTwiceExamples,
            int cronRunsUnfinished,
            int webhookRunsUnfinished,
            int ticksFiredTwice,
            List<String> firedTwiceExamples,
            long ticksMissedUncounted,
            List<String> uncountedExamples,
            long ticksExpected,
            long ticksWithRun,
            long ticksMissedCounted,
            long ticksSkippedCounted,
            long ticksCountedTwice,
            int pendingAtEnd,
            int runsExecutedMoreThanOnce,
            long repeatedExecutions,
            List<String> repeatedExamples,
            int finishedRunsNeverExecuted,
            Map<String, Integer> runsByTriggerAndStatus,
            Map<String, Integer> unsuccessfulByError) {

        boolean clean() {
            return acceptedLost == 0
                    && recordedTwice == 0
                    && cronRunsUnfinished == 0
                    && ticksFiredTwice == 0
                    && ticksMissedUncounted == 0;
        }
    }

    private GroundTruth() {}

    static Counts count(
            String jdbcUrl,
            String user,
            List<WebhookLoad.Accepted> accepted,
            Map<String, Integer> executions,
            Set<String> cronScripts)
            throws SQLException {
        try (var c = DriverManager.getConnection(jdbcUrl, user, "")) {
            // ---- accepted webhook runs: each exists and ended
            var status = new HashMap<String, String>();
            var callOf = new HashMap<String, String>();
            try (var st = c.prepareStatement("SELECT id::text, status, event->'body'->>'call' FROM runs"
                            + " WHERE trigger = 'webhook'");
                    var rs = st.executeQuery()) {
                while (rs.next()) {
                    status.put(rs.getString(1), rs.getString(2));
                    callOf.put(rs.getString(1), rs.getString(3));
                }
            }
            var lost = new ArrayList<String>();
            for (var a : accepted) {
                String s = status.get(a.runId());
                if (s == null) lost.add(a.runId() + " (call " + a.call() + "): no such run");
                else if (!isFinal(s)) lost.add(a.runId() + " (call " + a.call() + "): still " + s);
                else if (!a.call().equals(callOf.get(a.runId())))
                    lost.add(a.runId() + " (call " + a.call() + "): is the run of call " + callOf.get(a.runId()));
            }

            // ---- one call, one run (the load sends a call again with its Idempotency-Key when unanswered)
            var twice = new ArrayList<String>();
            try (var st = c.prepareStatement("SELECT event->'body'->>'call', count(*), string_agg(id::text, ',')"
                            + " FROM runs WHERE trigger = 'webhook' GROUP BY 1 HAVING count(*) > 1");
                    var rs = st.executeQuery()) {
                while (rs.next())
                    twice.add("call " + rs.getString(1) + ": " + rs.getInt(2) + " runs " + rs.getString(3));
            }

            // ---- one tick, one run
            var firedTwice = new ArrayList<String>();
            try (var st = c.prepareStatement("SELECT script_id::text, scheduled_at, count(*) FROM runs"
                            + " WHERE trigger = 'cron' GROUP BY 1, 2 HAVING count(*) > 1");
                    var rs = st.executeQuery()) {
                while (rs.next())
                    firedTwice.add("script " + rs.getString(1) + " tick "
                            + rs.getTimestamp(2).toInstant() + ": " + rs.getInt(3) + " runs");
            }

            int cronUnfinished = 0;
            try (var st = c.prepareStatement("SELECT count(*) FROM runs WHERE trigger = 'cron'"
                            + " AND status IN ('QUEUED', 'RUNNING')");
                    var rs = st.executeQuery()) {
                rs.next();
                cronUnfinished = rs.getInt(1);
            }

            // a webhook run nobody was told about (its api replica died before answering) may be left QUEUED too
            int webhookUnfinished = 0;
            try (var st = c.prepareStatement("SELECT count(*) FROM runs WHERE trigger = 'webhook'"
                            + " AND status IN ('QUEUED', 'RUNNING')");
                    var rs = st.executeQuery()) {
                rs.next();
                webhookUnfinished = rs.getInt(1);
            }

            // ---- every tick since a schedule was made has a run, or is counted missed or skipped
            var ticks = ticks(c, cronScripts);

            // ---- executions, as the scripts reported them
            var ran = new HashSet<String>();
            var finished = new HashSet<String>();
            try (var st = c.prepareStatement("SELECT id::text, status FROM runs");
                    var rs = st.executeQuery()) {
                while (rs.next()) {
                    ran.add(rs.getString(1));
                    if (rs.getString(2).equals("SUCCEEDED")) finished.add(rs.getString(1));
                }
            }
            int repeatedRuns = 0;
            long repeated = 0;
            var repeatedExamples = new ArrayList<String>();
            for (var e : executions.entrySet()) {
                if (e.getValue() > 1) {
                    repeatedRuns++;
                    repeated += e.getValue() - 1;
                    if (repeatedExamples.size() < 10)
                        repeatedExamples.add(e.getKey() + ": executed " + e.getValue() + " times");
                }
            }
            int neverExecuted = 0;
            for (String id : finished) if (!executions.containsKey(id)) neverExecuted++;

            var byStatus = new TreeMap<String, Integer>();
            try (var st = c.prepareStatement("SELECT trigger, status, count(*) FROM runs GROUP BY 1, 2");
                    var rs = st.executeQuery()) {
                while (rs.next()) byStatus.put(rs.getString(1) + " " + rs.getString(2), rs.getInt(3));
            }

            // a run that failed or timed out says why: the chaos kills processes, but the scripts themselves never fail
            var byError = new java.util.LinkedHashMap<String, Integer>();
            try (var st = c.prepareStatement("SELECT status || ': ' || coalesce(left(error, 160), '(no error)'),"
                            + " count(*) FROM runs WHERE status IN ('FAILED', 'TIMED_OUT')"
                            + " GROUP BY 1 ORDER BY 2 DESC LIMIT 10");
                    var rs = st.executeQuery()) {
                while (rs.next()) byError.put(rs.getString(1), rs.getInt(2));
            }

            return new Counts(
                    accepted.size(),
                    lost.size(),
                    lost.stream().limit(10).toList(),
                    twice.size(),
                    twice.stream().limit(10).toList(),
                    cronUnfinished,
                    webhookUnfinished,
                    firedTwice.size(),
                    firedTwice.stream().limit(10).toList(),
                    ticks.uncounted,
                    ticks.examples,
                    ticks.expected,
                    ticks.withRun,
                    ticks.missed,
                    ticks.skipped,
                    ticks.countedTwice,
                    ticks.pending,
                    repeatedRuns,
                    repeated,
                    repeatedExamples,
                    neverExecuted,
                    byStatus,
                    byError);
        }
    }

    private static final class Ticks {
        long expected;
        long withRun;
        long missed;
        long skipped;
        long uncounted;
        long countedTwice;
        int pending;
        final List<String> examples = new ArrayList<>();
    }

    /**
     * For each schedule: the ticks from its first (the first fire time after it was saved, {@code updated_at}) up to
     * before its {@code next_fire_at} now; each has a cron run, or is in {@code missed_ticks} or {@code
     * skipped_ticks}. Fewer runs and counts than ticks is a tick missed without being counted.
     */
    private static Ticks ticks(Connection c, Set<String> cronScripts) throws SQLException {
        var out = new Ticks();
        var runTicks = new HashMap<String, Set<Instant>>();
        try (var st = c.prepareStatement("SELECT script_id::text, scheduled_at FROM runs WHERE trigger = 'cron'");
                var rs = st.executeQuery()) {
            while (rs.next())
                runTicks.computeIfAbsent(rs.getString(1), k -> new HashSet<>())
                        .add(rs.getTimestamp(2).toInstant());
        }
        try (var st = c.prepareStatement("SELECT script_id::text, expression, timezone, updated_at, next_fire_at,"
                        + " missed_ticks, skipped_ticks, pending_tick_at FROM schedules");
                var rs = st.executeQuery()) {
            while (rs.next()) {
                String id = rs.getString(1);
                if (!cronScripts.contains(id)) continue;
                var cron = CronSchedule.of(rs.getString(2), rs.getString(3));
                Instant saved = rs.getTimestamp(4).toInstant();
                Instant end = rs.getTimestamp(5).toInstant();
                long missed = rs.getLong(6), skipped = rs.getLong(7);
                if (rs.getTimestamp(8) != null) out.pending++;
                var fired = runTicks.getOrDefault(id, Set.of());
                long expected = 0, withRun = 0;
                for (var t = cron.nextAfter(saved); t != null && t.isBefore(end); t = cron.nextAfter(t)) {
                    expected++;
                    if (fired.contains(t)) withRun++;
                }
                long strays = fired.stream().filter(t -> !t.isBefore(end)).count();
                out.expected += expected;
                out.withRun += withRun;
                out.missed += missed;
                out.skipped += skipped;
                long gap = expected - withRun - missed - skipped;
                if (gap > 0) {
                    out.uncounted += gap;
                    if (out.examples.size() < 10)
                        out.examples.add("script " + id + ": " + expected + " ticks, " + withRun + " with a run, "
                                + missed + " missed, " + skipped + " skipped");
                } else if (gap < 0) {
                    out.countedTwice += -gap;
                }
                if (strays > 0 && out.examples.size() < 10)
                    out.examples.add("script " + id + ": " + strays + " cron run(s) at or after next_fire_at " + end);
            }
        }
        return out;
    }

    private static boolean isFinal(String status) {
        return !status.equals("QUEUED") && !status.equals("RUNNING");
    }
}

package dev.cronhook.api.schedule;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What the scheduler reads and writes in the database: fire times of schedules, and active cron runs. */
public class ScheduleRepository {
    /** Moves a schedule past a tick, only if it still stands at {@code expected} (so only one replica does). */
    public record Advance(UUID scriptId, Instant expected, Instant next, Instant fired, int missed) {}

    private final JdbcClient jdbc;

    public ScheduleRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Applies the advances whose schedule still stands where expected, recording each fired tick as pending in the
     * same statement; returns the scripts that moved.
     */
    public Set<UUID> advance(List<Advance> advances) {
        if (advances.isEmpty()) return Set.of();
        var rows = String.join(
                ", ",
                Collections.nCopies(
                        advances.size(),
                        "(CAST(? AS UUID), CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ),"
                                + " CAST(? AS INT))"));
        var params = new ArrayList<Object>(advances.size() * 5);
        for (var a : advances) {
            params.add(a.scriptId());
            params.add(Timestamp.from(a.expected()));
            params.add(a.next() == null ? null : Timestamp.from(a.next()));
            params.add(a.fired() == null ? null : Timestamp.from(a.fired()));
            params.add(a.missed());
        }
        // one statement: a scheduler that dies right after it has moved the schedule has its tick pending already
        return new HashSet<>(jdbc.sql("WITH moved AS (UPDATE schedules AS c SET next_fire_at = v.next_at,"
                        + " last_fired_at = COALESCE(v.fired_at, c.last_fired_at),"
                        + " missed_ticks = c.missed_ticks + v.missed"
                        + " FROM (VALUES " + rows + ") AS v (script_id, expected_at, next_at, fired_at, missed)"
                        + " WHERE c.script_id = v.script_id AND c.next_fire_at = v.expected_at"
                        + " RETURNING c.script_id, v.fired_at),"
                        + " pending AS (INSERT INTO pending_ticks (script_id, tick_at) SELECT script_id, fired_at"
                        + " FROM moved WHERE fired_at IS NOT NULL ON CONFLICT DO NOTHING)"
                        + " SELECT script_id FROM moved")
                .params(params)
                .query((rs, n) -> rs.getObject(1, UUID.class))
                .list());
    }

    /**
     * The tick's runs were launched, or it was counted missed or skipped: it is no longer pending for these scripts
     * (their other pending ticks, a later one another replica fired meanwhile, stay).
     */
    public void settled(Collection<UUID> scriptIds, Instant tick) {
        if (scriptIds.isEmpty()) return;
        String marks = String.join(", ", Collections.nCopies(scriptIds.size(), "?"));
        var params = new ArrayList<Object>(scriptIds);
        params.add(Timestamp.from(tick));
        jdbc.sql("DELETE FROM pending_ticks WHERE script_id IN (" + marks + ") AND tick_at = CAST(? AS TIMESTAMPTZ)")
                .params(params)
                .update();
    }

    /**
     * Ticks still pending from before {@code olderThan}, whose scheduler died between moving the schedule on and
     * launching: one whose cron run exists after all is only cleared; the others are counted missed, each once (a
     * replica running this at the same time counts none of them again). Returns the scripts with ticks counted.
     */
    public List<UUID> settleAbandoned(Instant olderThan) {
        var before = Timestamp.from(olderThan);
        jdbc.sql("DELETE FROM pending_ticks AS p WHERE p.tick_at < ? AND EXISTS (SELECT 1 FROM runs r"
                        + " WHERE r.script_id = p.script_id AND r.trigger = 'cron' AND r.scheduled_at = p.tick_at)")
                .params(before)
                .update();
        return jdbc.sql("WITH gone AS (DELETE FROM pending_ticks WHERE tick_at < ? RETURNING script_id),"
                        + " counted AS (SELECT script_id, count(*) AS ticks FROM gone GROUP BY script_id)"
                        + " UPDATE schedules AS s SET missed_ticks = s.missed_ticks + counted.ticks FROM counted"
                        + " WHERE s.script_id = counted.script_id RETURNING s.script_id")
                .params(before)
                .query((rs, n) -> rs.getObject(1, UUID.class))
                .list();
    }

    /** Counts ticks that got no run after all (the launch failed). */
    public void addMissed(UUID scriptId, int ticks) {
        jdbc.sql("UPDATE schedules SET missed_ticks = missed_ticks + ? WHERE script_id = ?")
                .params(ticks, scriptId)
                .update();
    }

    /** A tick recorded as fired was skipped after all (overlap): restores the last fire time, counts it missed. */
    public void skipped(UUID scriptId, Instant previousLastFiredAt) {
        jdbc.sql("UPDATE schedules SET missed_ticks = missed_ticks + 1, last_fired_at = ? WHERE script_id = ?")
                .params(previousLastFiredAt == null ? null : Timestamp.from(previousLastFiredAt), scriptId)
                .update();
    }

    /** A tick recorded as fired was skipped, the script being paused: restores the last fire time, counts it. */
    public void skippedWhilePaused(UUID scriptId, Instant previousLastFiredAt) {
        jdbc.sql("UPDATE schedules SET skipped_ticks = skipped_ticks + 1, last_fired_at = ? WHERE script_id = ?")
                .params(previousLastFiredAt == null ? null : Timestamp.from(previousLastFiredAt), scriptId)
                .update();
    }

    /** Of these scripts, those with a cron run still QUEUED or RUNNING. */
    public Set<UUID> withActiveCronRun(List<UUID> scriptIds) {
        if (scriptIds.isEmpty()) return Set.of();
        String marks = String.join(", ", Collections.nCopies(scriptIds.size(), "?"));
        return new HashSet<>(jdbc.sql("SELECT DISTINCT script_id FROM runs WHERE script_id IN (" + marks + ")"
                        + " AND trigger = 'cron' AND status IN ('QUEUED', 'RUNNING')")
                .params(scriptIds.toArray())
                .query((rs, n) -> rs.getObject(1, UUID.class))
                .list());
    }

    /** Every schedule that will fire again, with its next fire time. */
    public Map<UUID, Instant> nextFireTimes() {
        var out = new HashMap<UUID, Instant>();
        jdbc.sql("SELECT script_id, next_fire_at FROM schedules WHERE next_fire_at IS NOT NULL")
                .query(rs -> {
                    out.put(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant());
                });
        return out;
    }
}

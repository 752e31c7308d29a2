package dev.cronhook.api.run;

import dev.cronhook.api.db.JsonbText;
import dev.cronhook.core.run.RunStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Runs: what started them, what they were given, how they ended. Reads are scoped to an owner. */
@Repository
public class RunRepository {
    private final JdbcClient jdbc;

    public RunRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<RunView> find(UUID ownerId, UUID id) {
        return jdbc.sql("SELECT * FROM runs WHERE id = ? AND owner_id = ?")
                .params(id, ownerId)
                .query(RunRepository::view)
                .optional();
    }

    public List<RunView> list(UUID ownerId, RunFilter f) {
        var sql = new StringBuilder("SELECT * FROM runs WHERE owner_id = ?");
        var params = new ArrayList<Object>();
        params.add(ownerId);
        if (f.scriptId() != null) {
            sql.append(" AND script_id = ?");
            params.add(f.scriptId());
        }
        if (f.status() != null) {
            sql.append(" AND status = ?");
            params.add(f.status().name());
        }
        if (f.trigger() != null) {
            sql.append(" AND trigger = ?");
            params.add(f.trigger());
        }
        if (f.since() != null) {
            sql.append(" AND queued_at >= ?");
            params.add(Timestamp.from(f.since()));
        }
        if (f.until() != null && f.afterId() != null) {
            sql.append(" AND (queued_at < ? OR (queued_at = ? AND id > ?))");
            params.add(Timestamp.from(f.until()));
            params.add(Timestamp.from(f.until()));
            params.add(f.afterId());
        } else if (f.until() != null) {
            sql.append(" AND queued_at < ?");
            params.add(Timestamp.from(f.until()));
        }
        sql.append(" ORDER BY queued_at DESC, id LIMIT ").append(f.limit());
        return jdbc.sql(sql.toString())
                .params(params)
                .query(RunRepository::view)
                .list();
    }

    /** A new QUEUED run for {@link #insertAll}. */
    public record NewRun(
            UUID id,
            UUID scriptId,
            UUID ownerId,
            int version,
            String trigger,
            String eventJson,
            int attempt,
            Instant scheduledAt,
            Instant queuedAt) {}

    /** Inserts QUEUED runs in one statement. */
    public void insertAll(List<NewRun> newRuns) {
        if (newRuns.isEmpty()) return;
        var sql = new StringBuilder("INSERT INTO runs (id, script_id, owner_id, version, trigger, event, status,"
                + " attempt, scheduled_at, queued_at) VALUES ");
        var params = new ArrayList<Object>(newRuns.size() * 9);
        for (int i = 0; i < newRuns.size(); i++) {
            var r = newRuns.get(i);
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, CAST(? AS JSONB), 'QUEUED', ?, ?, ?)");
            params.add(r.id());
            params.add(r.scriptId());
            params.add(r.ownerId());
            params.add(r.version());
            params.add(r.trigger());
            params.add(JsonbText.toColumn(r.eventJson()));
            params.add(r.attempt());
            params.add(r.scheduledAt() == null ? null : Timestamp.from(r.scheduledAt()));
            params.add(Timestamp.from(r.queuedAt()));
        }
        jdbc.sql(sql.toString()).params(params).update();
    }

    /**
     * The oldest runs not yet ended (QUEUED or RUNNING) that were recorded before {@code cutoff}, as they were
     * inserted, at most {@code limit}, after the run {@code after} in that order (null: from the first). Reads the
     * partial index of active runs ({@code runs_active_by_script}), which holds only runs not yet ended: the cost
     * follows the backlog, not the table.
     */
    public List<NewRun> openBefore(Instant cutoff, NewRun after, int limit) {
        var params = new ArrayList<Object>(List.of(Timestamp.from(cutoff)));
        String from = "";
        if (after != null) {
            from = " AND (queued_at, id) > (?, ?)";
            params.add(Timestamp.from(after.queuedAt()));
            params.add(after.id());
        }
        params.add(limit);
        return jdbc.sql("SELECT id, script_id, owner_id, version, trigger, event, attempt, scheduled_at, queued_at"
                        + " FROM runs WHERE status IN ('QUEUED', 'RUNNING') AND queued_at < ?" + from
                        + " ORDER BY queued_at, id LIMIT ?")
                .params(params)
                .query((rs, n) -> {
                    var scheduledAt = rs.getTimestamp("scheduled_at");
                    return new NewRun(
                            rs.getObject("id", UUID.class),
                            rs.getObject("script_id", UUID.class),
                            rs.getObject("owner_id", UUID.class),
                            rs.getInt("version"),
                            rs.getString("trigger"),
                            JsonbText.fromColumn(rs.getString("event")),
                            rs.getInt("attempt"),
                            scheduledAt == null ? null : scheduledAt.toInstant(),
                            rs.getTimestamp("queued_at").toInstant());
                })
                .list();
    }

    /** Removes runs that were never handed to an executor (still QUEUED). */
    public void deleteQueued(List<UUID> ids) {
        if (ids.isEmpty()) return;
        jdbc.sql("DELETE FROM runs WHERE status = 'QUEUED' AND id IN (" + placeholders(ids.size()) + ")")
                .params(new ArrayList<Object>(ids))
                .update();
    }

    /** A TEXT column takes no NUL (PostgreSQL refuses it): an error a script made with one shows U+FFFD there. */
    private static String textColumn(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    /** RUNNING, only from QUEUED; returns whether it changed. */
    public boolean markRunning(UUID id, Instant startedAt) {
        return jdbc.sql("UPDATE runs SET status = 'RUNNING', started_at = ? WHERE id = ? AND status = 'QUEUED'")
                        .params(Timestamp.from(startedAt), id)
                        .update()
                > 0;
    }

    /** A final status, only once: a run that has ended is never changed again. Returns whether it changed. */
    public boolean finish(
            UUID id,
            RunStatus status,
            String resultJson,
            String replyJson,
            String error,
            Instant startedAt,
            Instant finishedAt) {
        return jdbc.sql("UPDATE runs SET status = ?, result = CAST(? AS JSONB), reply = CAST(? AS JSONB), error = ?,"
                                + " started_at = COALESCE(started_at, ?), finished_at = ?"
                                + " WHERE id = ? AND status IN ('QUEUED', 'RUNNING')")
                        .params(
                                status.name(),
                                JsonbText.toColumn(resultJson),
                                JsonbText.toColumn(replyJson),
                                textColumn(error),
                                startedAt == null ? null : Timestamp.from(startedAt),
                                Timestamp.from(finishedAt),
                                id)
                        .update()
                > 0;
    }

    /** RUNNING for a run that has started. */
    public record Started(UUID id, Instant startedAt) {}

    /** A final status for a run that has ended. */
    public record Ended(
            UUID id,
            RunStatus status,
            String resultJson,
            String replyJson,
            String error,
            Instant startedAt,
            Instant finishedAt) {}

    /**
     * Records what executors reported, in one transaction and one round trip: RUNNING only from QUEUED, a final
     * status only once. Returns, for each of {@code ended}, whether this call is the one that ended it.
     */
    public boolean[] record(List<Started> started, List<Ended> ended) {
        if (!started.isEmpty()) {
            var sql = new StringBuilder(
                    "UPDATE runs AS r SET status = 'RUNNING', started_at = v.started_at FROM (VALUES ");
            var params = new ArrayList<Object>(started.size() * 2);
            for (int i = 0; i < started.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("(CAST(? AS UUID), CAST(? AS TIMESTAMPTZ))");
                params.add(started.get(i).id());
                params.add(Timestamp.from(started.get(i).startedAt()));
            }
            sql.append(") AS v (id, started_at) WHERE r.id = v.id AND r.status = 'QUEUED'");
            jdbc.sql(sql.toString()).params(params).update();
        }
        boolean[] changed = new boolean[ended.size()];
        if (ended.isEmpty()) return changed;
        // one statement for the batch; RETURNING names the runs this call ended (the others had ended before)
        var sql = new StringBuilder("UPDATE runs AS r SET status = v.status, result = CAST(v.result AS JSONB),"
                + " reply = CAST(v.reply AS JSONB), error = v.error, started_at = COALESCE(r.started_at, v.started_at),"
                + " finished_at = v.finished_at FROM (VALUES ");
        var params = new ArrayList<Object>(ended.size() * 7);
        for (int i = 0; i < ended.size(); i++) {
            var e = ended.get(i);
            sql.append(i == 0 ? "" : ", ")
                    .append("(CAST(? AS UUID), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT),"
                            + " CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ))");
            params.add(e.id());
            params.add(e.status().name());
            params.add(JsonbText.toColumn(e.resultJson()));
            params.add(JsonbText.toColumn(e.replyJson()));
            params.add(textColumn(e.error()));
            params.add(e.startedAt() == null ? null : Timestamp.from(e.startedAt()));
            params.add(Timestamp.from(e.finishedAt()));
        }
        sql.append(") AS v (id, status, result, reply, error, started_at, finished_at)"
                + " WHERE r.id = v.id AND r.status IN ('QUEUED', 'RUNNING') RETURNING r.id");
        var endedHere = new java.util.HashSet<>(
                jdbc.sql(sql.toString()).params(params).query(UUID.class).list());
        for (int i = 0; i < ended.size(); i++)
            changed[i] = endedHere.contains(ended.get(i).id());
        return changed;
    }

    public Optional<UUID> ownerOf(UUID id) {
        return jdbc.sql("SELECT owner_id FROM runs WHERE id = ?")
                .param(id)
                .query(UUID.class)
                .optional();
    }

    /** Run ids and owners, whoever owns them (for the recorders). */
    public Optional<RunView> findAnyOwner(UUID id) {
        return jdbc.sql("SELECT * FROM runs WHERE id = ?")
                .param(id)
                .query(RunRepository::view)
                .optional();
    }

    static RunView view(ResultSet rs, int n) throws SQLException {
        Instant started = instant(rs, "started_at");
        Instant finished = instant(rs, "finished_at");
        return new RunView(
                rs.getObject("id", UUID.class),
                rs.getObject("script_id", UUID.class),
                rs.getInt("version"),
                rs.getString("trigger"),
                RunStatus.valueOf(rs.getString("status")),
                JsonbText.fromColumn(rs.getString("event")),
                JsonbText.fromColumn(rs.getString("result")),
                JsonbText.fromColumn(rs.getString("reply")),
                rs.getString("error"),
                rs.getInt("attempt"),
                instant(rs, "scheduled_at"),
                instant(rs, "queued_at"),
                started,
                finished,
                started != null && finished != null
                        ? Duration.between(started, finished).toMillis()
                        : null,
                rs.getObject("replay_of", UUID.class));
    }

    /** Notes that {@code runId} replays {@code original}. */
    public void markReplayOf(UUID runId, UUID original) {
        jdbc.sql("UPDATE runs SET replay_of = ? WHERE id = ?")
                .params(original, runId)
                .update();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}

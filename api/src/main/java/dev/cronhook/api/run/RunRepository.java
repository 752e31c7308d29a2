package dev.cronhook.api.run;

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
    /** Filters for listing runs; null means any. */
    public record RunFilter(UUID scriptId, RunStatus status, String trigger, Instant since, Instant until, int limit) {}

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
        if (f.until() != null) {
            sql.append(" AND queued_at < ?");
            params.add(Timestamp.from(f.until()));
        }
        sql.append(" ORDER BY queued_at DESC, id LIMIT ").append(f.limit());
        return jdbc.sql(sql.toString())
                .params(params)
                .query(RunRepository::view)
                .list();
    }

    public void insert(
            UUID id,
            UUID scriptId,
            UUID ownerId,
            int version,
            String trigger,
            String eventJson,
            int attempt,
            Instant scheduledAt,
            Instant queuedAt) {
        jdbc.sql("INSERT INTO runs (id, script_id, owner_id, version, trigger, event, status, attempt, scheduled_at,"
                        + " queued_at) VALUES (?, ?, ?, ?, ?, CAST(? AS JSONB), 'QUEUED', ?, ?, ?)")
                .params(
                        id,
                        scriptId,
                        ownerId,
                        version,
                        trigger,
                        eventJson,
                        attempt,
                        scheduledAt == null ? null : Timestamp.from(scheduledAt),
                        Timestamp.from(queuedAt))
                .update();
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
            params.add(r.eventJson());
            params.add(r.attempt());
            params.add(r.scheduledAt() == null ? null : Timestamp.from(r.scheduledAt()));
            params.add(Timestamp.from(r.queuedAt()));
        }
        jdbc.sql(sql.toString()).params(params).update();
    }

    public void deleteQueued(UUID id) {
        jdbc.sql("DELETE FROM runs WHERE id = ? AND status = 'QUEUED'")
                .param(id)
                .update();
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
                                resultJson,
                                replyJson,
                                error,
                                startedAt == null ? null : Timestamp.from(startedAt),
                                Timestamp.from(finishedAt),
                                id)
                        .update()
                > 0;
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
                rs.getString("event"),
                rs.getString("result"),
                rs.getString("reply"),
                rs.getString("error"),
                rs.getInt("attempt"),
                instant(rs, "scheduled_at"),
                instant(rs, "queued_at"),
                started,
                finished,
                started != null && finished != null
                        ? Duration.between(started, finished).toMillis()
                        : null);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}

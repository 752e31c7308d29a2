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

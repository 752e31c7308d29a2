package dev.cronhook.api.log;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.log.LogStore;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link LogStore} in the database: the default when CloudWatch is not configured. */
public class DatabaseLogStore implements LogStore {
    private final JdbcClient jdbc;

    public DatabaseLogStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void append(String logId, List<LogLine> lines) {
        if (lines.isEmpty()) return;
        long next = jdbc.sql("SELECT COALESCE(MAX(seq), -1) + 1 FROM log_lines WHERE log_id = ?")
                .param(logId)
                .query(Long.class)
                .single();
        // one multi-row INSERT per chunk: a round trip per line would make long logs slow to archive
        int chunk = 500;
        for (int from = 0; from < lines.size(); from += chunk) {
            var part = lines.subList(from, Math.min(lines.size(), from + chunk));
            var sql = new StringBuilder("INSERT INTO log_lines (log_id, seq, time, stream, text) VALUES ");
            var params = new ArrayList<Object>(part.size() * 5);
            for (int i = 0; i < part.size(); i++) {
                if (i > 0) sql.append(", ");
                sql.append("(?, ?, ?, ?, ?)");
                var line = part.get(i);
                params.add(logId);
                params.add(next++);
                params.add(Timestamp.from(line.time()));
                params.add(line.stream());
                // a TEXT column takes no NUL: a script that prints one gets U+FFFD in the stored line
                params.add(line.text() == null ? null : line.text().replace('\0', '\uFFFD'));
            }
            sql.append(" ON CONFLICT (log_id, seq) DO NOTHING");
            jdbc.sql(sql.toString()).params(params).update();
        }
    }

    @Override
    public List<LogLine> read(String logId) {
        return jdbc.sql("SELECT time, stream, text FROM log_lines WHERE log_id = ? ORDER BY seq")
                .param(logId)
                .query((rs, n) ->
                        new LogLine(rs.getTimestamp("time").toInstant(), rs.getString("stream"), rs.getString("text")))
                .list();
    }

    /** Removes the lines of logs older than the cut-off; returns how many lines went. */
    public int purgeBefore(java.time.Instant cutoff) {
        return jdbc.sql("DELETE FROM log_lines WHERE time < ?")
                .param(Timestamp.from(cutoff))
                .update();
    }
}

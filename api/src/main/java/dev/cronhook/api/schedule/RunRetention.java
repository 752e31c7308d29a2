package dev.cronhook.api.schedule;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Deletes runs (with what cascades from them) queued longer ago than the retention, and log lines (kept in the
 * database when CloudWatch is not configured) older than it, in small batches. CloudWatch applies its log group's
 * own retention (set by Terraform).
 */
public class RunRetention {
    private static final Logger log = LoggerFactory.getLogger(RunRetention.class);
    private static final int BATCH = 1000;

    private final JdbcClient jdbc;
    private final Duration retention;
    private final Clock clock;

    public RunRetention(JdbcClient jdbc, Duration retention, Clock clock) {
        this.jdbc = jdbc;
        this.retention = retention;
        this.clock = clock;
    }

    /** Returns how many runs were deleted. */
    public int purge() {
        var cutoff = Timestamp.from(clock.instant().minus(retention));
        int total = 0;
        while (true) {
            // batches keep each transaction small (CockroachDB dislikes huge deletes)
            int n = jdbc.sql("DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE queued_at < ? LIMIT " + BATCH
                            + ")")
                    .param(cutoff)
                    .update();
            total += n;
            if (n < BATCH) break;
        }
        if (total > 0) log.info("deleted {} runs queued before {}", total, cutoff.toInstant());
        int lines = 0;
        while (true) {
            int n = jdbc.sql("DELETE FROM log_lines WHERE (log_id, seq) IN (SELECT log_id, seq FROM log_lines"
                            + " WHERE time < ? LIMIT " + BATCH + ")")
                    .param(cutoff)
                    .update();
            lines += n;
            if (n < BATCH) break;
        }
        if (lines > 0) log.info("deleted {} log lines written before {}", lines, cutoff.toInstant());
        return total;
    }
}

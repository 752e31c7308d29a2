package dev.cronhook.api.log;

import dev.cronhook.core.log.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a finished run's live log from Redis into the log store (the database when CloudWatch is not
 * configured), so it outlives the live stream's expiry.
 */
public class LogArchiver {
    private static final Logger log = LoggerFactory.getLogger(LogArchiver.class);
    private final LiveLog live;
    private final LogStore store;

    public LogArchiver(LiveLog live, LogStore store) {
        this.live = live;
        this.store = store;
    }

    public static String runLogId(UUID runId) {
        return "run/" + runId;
    }

    public void archiveRun(UUID runId) {
        archiveRuns(List.of(runId));
    }

    /**
     * Archives several runs' logs, reading their live logs in one round (most runs print nothing, and have none).
     * Returns the runs whose live logs are now in the store, so can be cut short; runs without one are left out.
     */
    public List<UUID> archiveRuns(List<UUID> runIds) {
        List<List<LiveLog.Entry>> logs;
        try {
            logs = live.snapshots(runIds.stream().map(LiveLog.Source::run).toList());
        } catch (RuntimeException e) {
            // the live streams keep the lines for a day; the run page falls back to them
            log.warn("could not archive the logs of {} runs: {}", runIds.size(), e.toString());
            return List.of();
        }
        var archived = new ArrayList<UUID>(runIds.size());
        for (int i = 0; i < runIds.size(); i++) {
            UUID runId = runIds.get(i);
            try {
                if (logs.get(i).isEmpty()) continue;
                var lines = LiveLog.lines(logs.get(i));
                if (!lines.isEmpty() && store.read(runLogId(runId)).isEmpty()) store.append(runLogId(runId), lines);
                archived.add(runId);
            } catch (RuntimeException e) {
                log.warn("could not archive the log of run {}: {}", runId, e.toString());
            }
        }
        return archived;
    }
}

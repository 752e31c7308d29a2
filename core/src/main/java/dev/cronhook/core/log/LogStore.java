package dev.cronhook.core.log;

import java.util.List;

/**
 * Where the log lines of runs and builds are kept for reading later. Thread-safe. {@code logId} names one run's or
 * one build's log (e.g. {@code run/<runId>}); lines of one log are appended in order and read back in order.
 */
public interface LogStore {

    /** Appends lines to a log, creating it if needed; throws when the store cannot take them now. */
    void append(String logId, List<LogLine> lines);

    /** Every line of a log in order (empty when there is none). */
    List<LogLine> read(String logId);
}

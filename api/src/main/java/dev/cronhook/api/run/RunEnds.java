package dev.cronhook.api.run;

import dev.cronhook.core.run.RunResult;
import java.util.List;

/**
 * Told of the runs that ended, after their ends are durable, possibly more than once for one run (a redelivered
 * report); must be idempotent per run. Called on the recorder's thread: keep it to database work.
 */
public interface RunEnds {
    RunEnds NONE = (ends, recordedNow) -> {};

    /** @param recordedNow the runs among {@code ends} whose end was recorded by this report (not a repeat) */
    void ended(List<RunResult> ends, java.util.Set<java.util.UUID> recordedNow);
}

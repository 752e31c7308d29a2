package dev.cronhook.api.schedule;

import java.util.UUID;

/**
 * Which failed runs have been retried, shared by every scheduler: a retry job that JobRunr runs twice launches one
 * retry. Thread-safe; a mark lasts a week.
 */
public interface RetryMarks {
    /** Marks the failed run as retried; false when it was already. */
    boolean mark(UUID failedRunId);

    /** Takes the mark back (the retry could not be launched, and will be tried again). */
    void unmark(UUID failedRunId);
}

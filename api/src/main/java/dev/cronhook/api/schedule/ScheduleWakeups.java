package dev.cronhook.api.schedule;

/**
 * Tells every scheduler replica at once that a schedule changed (created, edited, resumed), so that one due sooner
 * than a replica's next look at the due-set is not waited for. Best effort: a lost announcement costs at most the
 * scheduler's poll interval.
 */
public interface ScheduleWakeups {
    /** Announces a change to every listening replica. */
    void announce();

    /** Calls {@code onChange} on each announcement until the returned handle is closed. */
    AutoCloseable listen(Runnable onChange);

    /** No replica to tell (a process without Redis pub/sub): every change waits for the next look. */
    ScheduleWakeups NONE = new ScheduleWakeups() {
        @Override
        public void announce() {}

        @Override
        public AutoCloseable listen(Runnable onChange) {
            return () -> {};
        }
    };
}

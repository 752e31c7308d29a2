package dev.cronhook.core.run;

/** Where one run stands; the last four are final. */
public enum RunStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED;

    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }
}

package dev.cronhook.core.build;

/** Where the build of one script version stands. */
public enum BuildState {
    QUEUED,
    BUILDING,
    READY,
    FAILED;

    public boolean isFinal() {
        return this == READY || this == FAILED;
    }
}

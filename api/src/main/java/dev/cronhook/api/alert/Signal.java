package dev.cronhook.api.alert;

/** Something that went wrong with a script: it opens an incident, or joins the one that is open. */
public enum Signal {
    RUN_FAILED("a run failed"),
    RUN_TIMED_OUT("a run timed out"),
    SECRETS_UNAVAILABLE("a run's secrets were unavailable"),
    TICK_MISSED("a cron tick was missed"),
    TICK_LATE("a cron tick started late"),
    OVERLAP_SKIPPED("a cron tick was skipped: the previous run had not ended"),
    BUILD_FAILED("a build failed");

    private final String words;

    Signal(String words) {
        this.words = words;
    }

    public String words() {
        return words;
    }

    /** Whether this signal is a failed run (counted towards consecutive failures). */
    public boolean isRun() {
        return this == RUN_FAILED || this == RUN_TIMED_OUT || this == SECRETS_UNAVAILABLE;
    }
}

package dev.cronhook.core.queue;

import java.util.UUID;

/** The names of the Redis streams the roles talk over; one place so no two roles spell one differently. */
public final class Streams {
    public static final String BUILDS = "cronhook:builds";
    public static final String BUILD_RESULTS = "cronhook:build-results";
    public static final String RUNS = "cronhook:runs";
    public static final String RUN_RESULTS = "cronhook:run-results";

    /** Pub/sub channel on which the api announces, after recording it, that a run has ended (its id). */
    public static final String RUN_FINISHED_CHANNEL = "cronhook:run-finished";

    /** Pub/sub channel on which the api announces a cancelled run id to every executor. */
    public static final String CANCEL_CHANNEL = "cronhook:cancel";

    private Streams() {}

    /** Live log of one build; readers tail it while the build runs. */
    public static String buildLog(UUID scriptId, int version) {
        return "cronhook:build-log:" + scriptId + ":" + version;
    }

    /** Set (with a TTL) when a run is cancelled, so an executor that has not started it yet skips it. */
    public static String cancelledKey(UUID runId) {
        return "cronhook:cancelled:" + runId;
    }

    /** Live log of one run; readers tail it while the run runs. */
    public static String runLog(UUID runId) {
        return "cronhook:run-log:" + runId;
    }
}

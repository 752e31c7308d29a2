package dev.cronhook.core.queue.redis;

import dev.cronhook.core.queue.QueueSpec;
import java.util.UUID;

/**
 * The names of the Redis keys, streams and channels the roles talk over: the queues' (as {@link QueueSpec} names
 * them) and every other; one place so no two roles spell one differently.
 */
public final class Streams {
    public static final String BUILDS = QueueSpec.BUILDS.name();
    public static final String BUILD_RESULTS = QueueSpec.BUILD_RESULTS.name();
    public static final String RUNS = QueueSpec.RUNS.name();
    public static final String RUN_RESULTS = QueueSpec.RUN_RESULTS.name();

    /** Try-outs the api hands to try-out workers (consumer group {@code try-out}). */
    public static final String TRY_OUTS = QueueSpec.TRY_OUTS.name();

    /** The consumer group of the try-out workers on {@link #TRY_OUTS}. */
    public static final String TRY_OUT_GROUP = QueueSpec.TRY_OUTS.group();

    /** Sorted set of live try-out workers, scored by when each last said it was alive (Redis time, ms). */
    public static final String TRY_OUT_WORKERS = "cronhook:try-out-workers";

    /**
     * Pub/sub channel on which the executor that finishes a run announces its end, in the step that publishes it:
     * the {@code RunResult}'s JSON, or only the run id when the result is large.
     */
    public static final String RUN_FINISHED_CHANNEL = "cronhook:run-finished";

    /**
     * The reference of the blank sandboxes' image the try-out role built into the registry: executors in other
     * processes (their own pods) start their blank shared sandboxes from it. Absent while none was built there.
     */
    public static final String BLANK_IMAGE = "cronhook:blank-image";

    /** Pub/sub channel on which the api announces a cancelled run id to every executor. */
    public static final String CANCEL_CHANNEL = "cronhook:cancel";

    /**
     * Hash of the scripts that have runs waiting for a concurrency slot (script id to {@code "<limit> <lease ms>"}),
     * kept by the executors' run ledger.
     */
    public static final String WAITING_SCRIPTS = "cronhook:scripts-waiting";

    /** The prefix of {@link #waitingKey}, for Lua scripts that go through {@link #WAITING_SCRIPTS}. */
    public static final String WAITING_PREFIX = "cronhook:waiting:";

    private Streams() {}

    /**
     * List of one script's runs waiting for a concurrency slot, in order; each entry is the run id, a space and the
     * run's request as it goes on {@link #RUNS}.
     */
    public static String waitingKey(UUID scriptId) {
        return WAITING_PREFIX + scriptId;
    }

    /** Live log of one build; readers tail it while the build runs. */
    public static String buildLog(UUID scriptId, int version) {
        return "cronhook:build-log:" + scriptId + ":" + version;
    }

    /** Set (with a TTL) when a run is cancelled, so an executor that has not started it yet skips it. */
    public static String cancelledKey(UUID runId) {
        return "cronhook:cancelled:" + runId;
    }

    /** The events of one try-out (install lines, log lines, its end), read by the api replica holding the caller. */
    public static String tryOutEvents(UUID tryOutId) {
        return "cronhook:try-out:" + tryOutId;
    }

    /**
     * Set by the executor that finishes a run, atomically with publishing its result, and holding that result's
     * JSON (a {@code RunResult}) for the executor's key TTL: it makes finishing idempotent, and it keeps the result
     * exactly as published (the database's JSONB reorders and reformats it).
     */
    public static String finishedKey(UUID runId) {
        return "cronhook:run-finished:" + runId;
    }

    /**
     * Set, with the run's lease as its TTL, while an executor in the accepting api's own process holds a run that
     * never went through {@link #RUNS} ({@code DirectRuns}): the run's trace in the backlog until its end is
     * published (which deletes it), or until the lease runs out when that process died.
     */
    public static String directKey(UUID runId) {
        return "cronhook:run-direct:" + runId;
    }

    /** Live log of one run; readers tail it while the run runs. */
    public static String runLog(UUID runId) {
        return "cronhook:run-log:" + runId;
    }
}

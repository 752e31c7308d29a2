package dev.cronhook.core.run;

import java.time.Instant;
import java.util.UUID;

/**
 * Asks an executor to run one script version once. {@code eventJson} is the event the script receives;
 * {@code image} is the image reference with its digest (or a bundle path for the process runtime);
 * {@code secretsToken} lets the executor fetch this run's secrets while it runs (null: the run has none);
 * {@code maxConcurrency} is how many runs of the script may run at once across all executors (0: no limit);
 * the others wait in the queue.
 */
public record RunRequest(
        UUID runId,
        UUID scriptId,
        int version,
        String image,
        TriggerKind trigger,
        String eventJson,
        int timeoutSeconds,
        int memoryMb,
        int attempt,
        Instant queuedAt,
        String secretsToken,
        int maxConcurrency) {

    /** A request whose run has no secrets to fetch and no concurrency limit. */
    public RunRequest(
            UUID runId,
            UUID scriptId,
            int version,
            String image,
            TriggerKind trigger,
            String eventJson,
            int timeoutSeconds,
            int memoryMb,
            int attempt,
            Instant queuedAt) {
        this(runId, scriptId, version, image, trigger, eventJson, timeoutSeconds, memoryMb, attempt, queuedAt, null, 0);
    }

    /** The same request with a concurrency limit. */
    public RunRequest withMaxConcurrency(int limit) {
        return new RunRequest(
                runId,
                scriptId,
                version,
                image,
                trigger,
                eventJson,
                timeoutSeconds,
                memoryMb,
                attempt,
                queuedAt,
                secretsToken,
                limit);
    }

    @Override
    public String toString() {
        return "RunRequest[" + runId + ", script " + scriptId + " v" + version + ", " + trigger + ", attempt " + attempt
                + "]";
    }
}

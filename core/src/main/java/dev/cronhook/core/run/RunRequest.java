package dev.cronhook.core.run;

import dev.cronhook.core.net.EgressPolicy;
import java.time.Instant;
import java.util.UUID;

/**
 * Asks an executor to run one script version once. {@code eventJson} is the event the script receives;
 * {@code image} is the image reference with its digest (or a bundle path for the process runtime);
 * {@code secretsToken} lets the executor fetch this run's secrets while it runs (null: the run has none);
 * {@code maxConcurrency} is how many runs of the script may run at once across all executors (0: no limit);
 * the others wait in the queue; {@code egress} is where the script's code may connect (null or empty: nowhere);
 * {@code tenant} is whose code it is (a user's environment: runs of one tenant may share a sandbox, runs of two
 * never do; null: the run gets a sandbox of its version's own).
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
        int maxConcurrency,
        EgressPolicy egress,
        String tenant) {

    public RunRequest {
        if (egress == null) egress = EgressPolicy.none();
        if (tenant != null && tenant.isBlank()) tenant = null;
    }

    /** A request of no tenant's: its run gets a sandbox of its version's own. */
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
            Instant queuedAt,
            String secretsToken,
            int maxConcurrency,
            EgressPolicy egress) {
        this(
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
                maxConcurrency,
                egress,
                null);
    }

    /** The tenant a user's environment is: its owner and its name. */
    public static String tenantOf(UUID ownerId, String environment) {
        return ownerId + "/" + (environment == null ? "" : environment);
    }

    /** A request without an egress allow-list (its code may connect nowhere). */
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
            Instant queuedAt,
            String secretsToken,
            int maxConcurrency) {
        this(
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
                maxConcurrency,
                null);
    }

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
                limit,
                egress,
                tenant);
    }

    /** The same request as code of {@code tenant}'s. */
    public RunRequest withTenant(String tenant) {
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
                maxConcurrency,
                egress,
                tenant);
    }

    @Override
    public String toString() {
        return "RunRequest[" + runId + ", script " + scriptId + " v" + version + ", " + trigger + ", attempt " + attempt
                + "]";
    }
}

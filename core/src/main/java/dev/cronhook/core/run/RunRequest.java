package dev.cronhook.core.run;

import java.time.Instant;
import java.util.UUID;

/**
 * Asks an executor to run one script version once. {@code eventJson} is the event the script receives;
 * {@code image} is the image reference with its digest (or a bundle path for the process runtime).
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
        Instant queuedAt) {}

package dev.cronhook.api.run;

import dev.cronhook.core.run.RunStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * Which runs to list, newest first; null means any. With {@code afterId}, {@code until} and {@code afterId} are the
 * last run of the page before (its queue time and id): the list goes on after it, runs queued at the same instant
 * included.
 */
public record RunFilter(
        UUID scriptId, RunStatus status, String trigger, Instant since, Instant until, UUID afterId, int limit) {
    public RunFilter(UUID scriptId, RunStatus status, String trigger, Instant since, Instant until, int limit) {
        this(scriptId, status, trigger, since, until, null, limit);
    }
}

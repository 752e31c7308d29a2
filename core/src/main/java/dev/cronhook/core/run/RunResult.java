package dev.cronhook.core.run;

import java.time.Instant;
import java.util.UUID;

/**
 * What an executor reports about one run: RUNNING when it starts, then one final status with the result (JSON),
 * the HTTP reply the script chose (if it returned a Response) or the error.
 */
public record RunResult(
        UUID runId,
        RunStatus status,
        String resultJson,
        HttpReply reply,
        String error,
        Instant startedAt,
        Instant finishedAt) {}

package dev.cronhook.api.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.cronhook.core.run.RunStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * A run as the API shows it; event, result and reply are the JSON they were recorded as; {@code replayOf} names the
 * run it replays, if it is a replay.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(
        UUID id,
        UUID scriptId,
        int version,
        String trigger,
        RunStatus status,
        @JsonRawValue String event,
        @JsonRawValue String result,
        @JsonRawValue String reply,
        String error,
        int attempt,
        Instant scheduledAt,
        Instant queuedAt,
        Instant startedAt,
        Instant finishedAt,
        Long durationMs,
        UUID replayOf) {}

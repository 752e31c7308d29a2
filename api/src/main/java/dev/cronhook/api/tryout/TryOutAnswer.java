package dev.cronhook.api.tryout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.run.HttpReply;
import java.util.List;

/**
 * How a try-out ended, as {@code POST /api/try-out} answers: the status, the result (JSON) or the HTTP reply, the
 * error, the script's log lines, what the dependency install printed, and how long install and run took.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TryOutAnswer(
        String status,
        @JsonRawValue String result,
        HttpReply reply,
        String error,
        List<LogLine> logs,
        List<String> installLog,
        long installMs,
        long runMs,
        long durationMs) {}

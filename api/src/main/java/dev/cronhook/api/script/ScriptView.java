package dev.cronhook.api.script;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.net.EgressPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A script as the API shows it: its settings, the latest version's code and the state of its builds.
 * {@code maxConcurrency} is absent when the script's runs are not limited; {@code egress} is always there, {@code
 * {"allow": []}} for no network. A paused script says since when and why
 * ({@code pausedReason} absent when paused by hand). {@code language} is {@code node} or {@code python}; a Python
 * script's {@code dependencies} are its requirements. {@code environment} is where it lives; {@code files} are the
 * latest version's files, the entry ({@code index.mjs}, {@code main.py}: the same text as {@code code}) first.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScriptView(
        UUID id,
        String name,
        String environment,
        int version,
        Integer activeVersion,
        String code,
        Map<String, String> dependencies,
        boolean webhook,
        String webhookUrl,
        CronView cron,
        int timeoutSeconds,
        int memoryMb,
        Integer maxConcurrency,
        BuildState buildState,
        Instant createdAt,
        Instant updatedAt,
        RetryPolicy retry,
        EgressPolicy egress,
        boolean paused,
        Instant pausedAt,
        String pausedReason,
        String language,
        Map<String, String> files) {

    /** The cron trigger with its next fire times. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CronView(
            String expression,
            String timezone,
            String overlapPolicy,
            String catchUpPolicy,
            List<Instant> nextFireTimes,
            Instant lastFiredAt,
            int missedTicks,
            int skippedTicks) {}
}

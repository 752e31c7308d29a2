package dev.cronhook.api.script;

import java.util.Map;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * The body of {@code POST /api/scripts} and {@code PUT /api/scripts/{id}}. PUT replaces every field; omitted
 * optional fields take their defaults (no dependencies, webhook on, no cron, default limits, no concurrency limit, no
 * retries, no network: {@code egress} absent or empty). {@code language} is {@code node} (the default) or {@code
 * python}; a Python script's packages are its {@code requirements} (project name to version specifier, e.g. {@code
 * {"requests": ">=2.31"}}), which may also be given as {@code dependencies} or as the text of a {@code
 * requirementsTxt} ({@code name<specifier>} lines, comments allowed; nothing else).
 *
 * <p>A script of several files gives them as {@code files} (path to text): the entry {@code index.mjs} ({@code
 * main.py} for Python), modules it imports by relative path, JSON and text files it reads; a {@code package.json} ({@code
 * requirements.txt}) among them gives the dependencies. {@code code} is the one-file shorthand: the entry alone.
 * {@code environment} is where the script lives ({@code dev} when left out); it is chosen at creation and never
 * changes (a promotion copies a script to another environment).
 */
public record ScriptRequest(
        String name,
        String code,
        Map<String, String> dependencies,
        Boolean webhook,
        CronRequest cron,
        Integer timeoutSeconds,
        Integer memoryMb,

        @JsonDeserialize(using = WholeNumberDeserializer.class)
        Integer maxConcurrency,

        RetryRequest retry,
        EgressRequest egress,
        String language,
        Map<String, String> requirements,
        String requirementsTxt,
        Map<String, String> files,
        String environment) {

    /** Without an allow-list or a language: a Node.js script with no network. */
    public ScriptRequest(
            String name,
            String code,
            Map<String, String> dependencies,
            Boolean webhook,
            CronRequest cron,
            Integer timeoutSeconds,
            Integer memoryMb,
            Integer maxConcurrency,
            RetryRequest retry) {
        this(
                name,
                code,
                dependencies,
                webhook,
                cron,
                timeoutSeconds,
                memoryMb,
                maxConcurrency,
                retry,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** Without files or an environment: a one-file script in dev. */
    public ScriptRequest(
            String name,
            String code,
            Map<String, String> dependencies,
            Boolean webhook,
            CronRequest cron,
            Integer timeoutSeconds,
            Integer memoryMb,
            Integer maxConcurrency,
            RetryRequest retry,
            EgressRequest egress,
            String language,
            Map<String, String> requirements,
            String requirementsTxt) {
        this(
                name,
                code,
                dependencies,
                webhook,
                cron,
                timeoutSeconds,
                memoryMb,
                maxConcurrency,
                retry,
                egress,
                language,
                requirements,
                requirementsTxt,
                null,
                null);
    }

    /** A cron trigger: the expression, its IANA time zone and the overlap and catch-up policies. */
    public record CronRequest(String expression, String timezone, String overlapPolicy, String catchUpPolicy) {}

    /** Retries of failed cron and webhook runs: attempts in all, the first delay and the backoff factor. */
    public record RetryRequest(Integer maxAttempts, Integer initialDelaySeconds, Double factor) {}
}

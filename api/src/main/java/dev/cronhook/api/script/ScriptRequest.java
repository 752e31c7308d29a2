package dev.cronhook.api.script;

import java.util.Map;

/**
 * The body of {@code POST /api/scripts} and {@code PUT /api/scripts/{id}}. PUT replaces every field; omitted
 * optional fields take their defaults (no dependencies, webhook on, no cron, default limits).
 */
public record ScriptRequest(
        String name,
        String code,
        Map<String, String> dependencies,
        Boolean webhook,
        CronRequest cron,
        Integer timeoutSeconds,
        Integer memoryMb) {

    /** A cron trigger: the expression, its IANA time zone and the overlap and catch-up policies. */
    public record CronRequest(String expression, String timezone, String overlapPolicy, String catchUpPolicy) {}
}

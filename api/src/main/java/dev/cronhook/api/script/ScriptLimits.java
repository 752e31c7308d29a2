package dev.cronhook.api.script;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Bounds on what a script may ask for (cronhook.limits.*). {@code maxConcurrency} bounds a script's optional limit on
 * its runs at once; a script without one has no limit.
 */
@ConfigurationProperties("cronhook.limits")
public record ScriptLimits(
        @DefaultValue("30") int defaultTimeoutSeconds,
        @DefaultValue("900") int maxTimeoutSeconds,
        @DefaultValue("128") int defaultMemoryMb,
        @DefaultValue("32") int minMemoryMb,
        @DefaultValue("2048") int maxMemoryMb,
        @DefaultValue("100") int maxConcurrency,
        @DefaultValue("262144") int maxCodeBytes,
        @DefaultValue("50") int maxDependencies) {}

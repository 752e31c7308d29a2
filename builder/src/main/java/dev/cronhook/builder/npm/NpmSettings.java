package dev.cronhook.builder.npm;

import dev.cronhook.builder.RetryPolicy;
import java.time.Duration;
import java.util.List;

/**
 * How npm is run: the command (e.g. {@code ["npm"]}), the registry (null: npm's own configuration), the time one
 * npm run may take before it is killed, the largest node_modules tree accepted, how long a resolved lockfile is
 * reused for the same dependencies without asking the registry again (zero: always resolve), and the retries when
 * the registry cannot be reached.
 */
public record NpmSettings(
        List<String> command,
        String registry,
        Duration timeout,
        long maxNodeModulesBytes,
        Duration resolutionTtl,
        RetryPolicy retry) {

    public NpmSettings {
        command = List.copyOf(command);
        if (command.isEmpty()) throw new IllegalArgumentException("command must not be empty");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
        if (maxNodeModulesBytes <= 0) throw new IllegalArgumentException("maxNodeModulesBytes must be positive");
        if (resolutionTtl == null || resolutionTtl.isNegative()) resolutionTtl = Duration.ZERO;
    }

    public static NpmSettings defaults() {
        return new NpmSettings(
                List.of("npm"),
                null,
                Duration.ofMinutes(5),
                300L * 1024 * 1024,
                Duration.ofMinutes(5),
                RetryPolicy.defaults());
    }

    public NpmSettings withRegistry(String url) {
        return new NpmSettings(command, url, timeout, maxNodeModulesBytes, resolutionTtl, retry);
    }

    public NpmSettings withTimeout(Duration t) {
        return new NpmSettings(command, registry, t, maxNodeModulesBytes, resolutionTtl, retry);
    }

    public NpmSettings withMaxNodeModulesBytes(long bytes) {
        return new NpmSettings(command, registry, timeout, bytes, resolutionTtl, retry);
    }

    public NpmSettings withRetry(RetryPolicy policy) {
        return new NpmSettings(command, registry, timeout, maxNodeModulesBytes, resolutionTtl, policy);
    }

    public NpmSettings withResolutionTtl(Duration ttl) {
        return new NpmSettings(command, registry, timeout, maxNodeModulesBytes, ttl, retry);
    }

    public NpmSettings withCommand(List<String> cmd) {
        return new NpmSettings(cmd, registry, timeout, maxNodeModulesBytes, resolutionTtl, retry);
    }
}

package dev.cronhook.builder.pip;

import dev.cronhook.builder.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How pip is run: the Python whose pip resolves and installs (null: this host's python3, the one Python images are
 * made from), the package index (null: pip's own configuration), the time one pip run may take, the largest
 * site-packages tree accepted, how long a resolved lock is reused for the same requirements without asking the index
 * again, and the retries when the index cannot be reached.
 */
public record PipSettings(
        Path python, String indexUrl, Duration timeout, long maxTreeBytes, Duration resolutionTtl, RetryPolicy retry) {

    public PipSettings {
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
        if (maxTreeBytes <= 0) throw new IllegalArgumentException("maxTreeBytes must be positive");
        if (resolutionTtl == null || resolutionTtl.isNegative()) resolutionTtl = Duration.ZERO;
        if (indexUrl != null && indexUrl.isBlank()) indexUrl = null;
    }

    public static PipSettings defaults() {
        return new PipSettings(
                null, null, Duration.ofMinutes(5), 300L * 1024 * 1024, Duration.ofMinutes(5), RetryPolicy.defaults());
    }

    public PipSettings withPython(Path binary) {
        return new PipSettings(binary, indexUrl, timeout, maxTreeBytes, resolutionTtl, retry);
    }

    public PipSettings withIndexUrl(String url) {
        return new PipSettings(python, url, timeout, maxTreeBytes, resolutionTtl, retry);
    }

    public PipSettings withTimeout(Duration t) {
        return new PipSettings(python, indexUrl, t, maxTreeBytes, resolutionTtl, retry);
    }

    public PipSettings withMaxTreeBytes(long bytes) {
        return new PipSettings(python, indexUrl, timeout, bytes, resolutionTtl, retry);
    }

    public PipSettings withResolutionTtl(Duration ttl) {
        return new PipSettings(python, indexUrl, timeout, maxTreeBytes, ttl, retry);
    }

    public PipSettings withRetry(RetryPolicy policy) {
        return new PipSettings(python, indexUrl, timeout, maxTreeBytes, resolutionTtl, policy);
    }
}

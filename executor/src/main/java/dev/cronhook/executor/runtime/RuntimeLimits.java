package dev.cronhook.executor.runtime;

import java.time.Duration;

/**
 * The limits a runtime applies to every sandbox and invocation: result size, log volume, processes, CPU, /tmp,
 * the memory used when a request names none, and how long a sandbox may take to start.
 */
public record RuntimeLimits(
        int maxResultBytes,
        int maxLogLines,
        int maxLineChars,
        int pidsLimit,
        double cpus,
        int tmpMb,
        int defaultMemoryMb,
        Duration startTimeout) {

    public RuntimeLimits {
        if (maxResultBytes < 1024) throw new IllegalArgumentException("maxResultBytes must be at least 1024");
        if (maxLogLines < 1) throw new IllegalArgumentException("maxLogLines must be at least 1");
        if (maxLineChars < 80) throw new IllegalArgumentException("maxLineChars must be at least 80");
        if (pidsLimit < 16) throw new IllegalArgumentException("pidsLimit must be at least 16");
        if (cpus <= 0) throw new IllegalArgumentException("cpus must be positive");
        if (tmpMb < 1) throw new IllegalArgumentException("tmpMb must be at least 1");
        if (defaultMemoryMb < 32) throw new IllegalArgumentException("defaultMemoryMb must be at least 32");
    }

    public static RuntimeLimits defaults() {
        return new RuntimeLimits(1 << 20, 10_000, 16_384, 128, 1.0, 64, 256, Duration.ofSeconds(30));
    }

    public RuntimeLimits withMaxResultBytes(int n) {
        return new RuntimeLimits(n, maxLogLines, maxLineChars, pidsLimit, cpus, tmpMb, defaultMemoryMb, startTimeout);
    }

    public RuntimeLimits withMaxLogLines(int n) {
        return new RuntimeLimits(
                maxResultBytes, n, maxLineChars, pidsLimit, cpus, tmpMb, defaultMemoryMb, startTimeout);
    }

    public int memoryMb(int requested) {
        return requested > 0 ? requested : defaultMemoryMb;
    }
}

package dev.cronhook.core.build;

import java.time.Instant;
import java.util.UUID;

/**
 * What a builder reports about one script version: a state change (BUILDING) or the outcome (READY with the
 * image, or FAILED with the reason). {@code log} is the build log so far, {@code lockfile} the resolved
 * package-lock.json.
 */
public record BuildResult(
        UUID scriptId,
        int version,
        BuildState state,
        String lockfile,
        String imageRef,
        String imageDigest,
        String error,
        String log,
        Instant at) {}

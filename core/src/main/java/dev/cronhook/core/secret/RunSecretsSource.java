package dev.cronhook.core.secret;

import java.util.UUID;

/**
 * Hands an executor the secrets of a run it is about to run, against the run's own token, and only while that
 * run has not ended. Thread-safe. Throws {@link SecretsUnavailableException} when they cannot be had.
 */
public interface RunSecretsSource {
    RunSecrets forRun(UUID runId, String runToken);
}

package dev.cronhook.core.secret;

/** A run's secrets could not be fetched; the message gives the reason and never a secret value. */
public class SecretsUnavailableException extends RuntimeException {
    public SecretsUnavailableException(String reason, Throwable cause) {
        super("secrets unavailable: " + reason, cause);
    }

    public SecretsUnavailableException(String reason) {
        super("secrets unavailable: " + reason);
    }
}

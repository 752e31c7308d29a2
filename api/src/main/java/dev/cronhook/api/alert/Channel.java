package dev.cronhook.api.alert;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An alert channel as stored: where alerts go, without its secret ({@code hasSecret} says whether one is stored).
 * {@code scriptId} is the script the channel belongs to (null: every script of its owner); {@code runScript} the
 * script a {@code script} channel runs.
 */
public record Channel(
        UUID id,
        UUID ownerId,
        UUID scriptId,
        String name,
        Kind kind,
        String url,
        String host,
        Integer port,
        String tls,
        String username,
        String from,
        List<String> to,
        UUID runScript,
        boolean hasSecret,
        Instant createdAt) {

    /** What a channel is. */
    public enum Kind {
        EMAIL,
        SLACK,
        WEBHOOK,
        SCRIPT;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Kind of(String wire) {
            return valueOf(wire.toUpperCase(java.util.Locale.ROOT));
        }
    }
}

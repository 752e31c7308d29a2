package dev.cronhook.api.secret;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Lets the try-out of a saved script have that script's secrets, as its runs do: a one-try-out token and whose
 * secrets it opens, both expiring with the try-out's wait. Thread-safe.
 */
public interface TryOutGrants {
    /** Whose secrets a try-out may open: its user's, with the script's over them. */
    record Grant(UUID ownerId, UUID scriptId) {}

    /** Grants the try-out {@code tryOutId} the secrets of {@code ownerId}'s script; returns its token. */
    String issue(UUID tryOutId, UUID ownerId, UUID scriptId, Duration validFor);

    /** The grant of a try-out whose token was checked, while it lasts. */
    Optional<Grant> find(UUID tryOutId);
}

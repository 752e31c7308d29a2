package dev.cronhook.api.secret;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Lets the try-out of a saved script have that script's secrets, as its runs do: a one-try-out token (kept, hashed,
 * with the run tokens) and whose secrets it opens, both expiring with the try-out's wait.
 */
@Component
public class TryOutGrants {
    private final RunTokens tokens;
    private final StatefulRedisConnection<String, String> redis;

    public TryOutGrants(RunTokens tokens, StatefulRedisConnection<String, String> redis) {
        this.tokens = tokens;
        this.redis = redis;
    }

    /** Whose secrets a try-out may open: its user's, with the script's over them. */
    public record Grant(UUID ownerId, UUID scriptId) {}

    /** Grants the try-out {@code tryOutId} the secrets of {@code ownerId}'s script; returns its token. */
    public String issue(UUID tryOutId, UUID ownerId, UUID scriptId, Duration validFor) {
        redis.sync().set(key(tryOutId), ownerId + " " + scriptId, SetArgs.Builder.ex(validFor));
        return tokens.issue(tryOutId, validFor);
    }

    /** The grant of a try-out whose token was checked, while it lasts. */
    Optional<Grant> find(UUID tryOutId) {
        String value = redis.sync().get(key(tryOutId));
        if (value == null) return Optional.empty();
        var parts = value.split(" ");
        return Optional.of(new Grant(UUID.fromString(parts[0]), UUID.fromString(parts[1])));
    }

    private static String key(UUID tryOutId) {
        return "cronhook:try-out-grant:" + tryOutId;
    }
}

package dev.cronhook.api.secret.redis;

import dev.cronhook.api.secret.RunTokens;
import dev.cronhook.api.secret.TryOutGrants;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Try-out grants in Redis ({@code cronhook:try-out-grant:<try-out>}, the token with the run tokens). Lets the try-out of a saved script have that script's secrets, as its runs do: a one-try-out token (kept, hashed,
 * with the run tokens) and whose secrets it opens, both expiring with the try-out's wait.
 */
@Component
public class RedisTryOutGrants implements TryOutGrants {
    private final RunTokens tokens;
    private final StatefulRedisConnection<String, String> redis;

    public RedisTryOutGrants(RunTokens tokens, StatefulRedisConnection<String, String> redis) {
        this.tokens = tokens;
        this.redis = redis;
    }

    /** Grants the try-out {@code tryOutId} the secrets of {@code ownerId}'s script; returns its token. */
    @Override
    public String issue(UUID tryOutId, UUID ownerId, UUID scriptId, Duration validFor) {
        redis.sync().set(key(tryOutId), ownerId + " " + scriptId, SetArgs.Builder.ex(validFor));
        return tokens.issue(tryOutId, validFor);
    }

    /** The grant of a try-out whose token was checked, while it lasts. */
    @Override
    public Optional<Grant> find(UUID tryOutId) {
        String value = redis.sync().get(key(tryOutId));
        if (value == null) return Optional.empty();
        var parts = value.split(" ");
        return Optional.of(new Grant(UUID.fromString(parts[0]), UUID.fromString(parts[1])));
    }

    private static String key(UUID tryOutId) {
        return "cronhook:try-out-grant:" + tryOutId;
    }
}

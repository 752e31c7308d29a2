package dev.cronhook.api.secret.redis;

import dev.cronhook.api.secret.RunTokens;
import dev.cronhook.api.user.TokenService;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Run tokens in Redis: {@code cronhook:run-token:<run>} holds the token's hash. One-run tokens: the executor running a run presents it to get that run's secrets. Only its hash is kept, in
 * Redis, expiring shortly after the run's deadline.
 */
@Component
public class RedisRunTokens implements RunTokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final StatefulRedisConnection<String, String> redis;

    public RedisRunTokens(StatefulRedisConnection<String, String> redis) {
        this.redis = redis;
    }

    @Override
    public String issue(UUID runId, Duration validFor) {
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        redis.sync().set(key(runId), TokenService.hash(token), SetArgs.Builder.ex(validFor));
        return token;
    }

    @Override
    public boolean verify(UUID runId, String token) {
        if (token == null || token.isBlank()) return false;
        String stored = redis.sync().get(key(runId));
        return stored != null
                && MessageDigest.isEqual(
                        stored.getBytes(StandardCharsets.US_ASCII),
                        TokenService.hash(token).getBytes(StandardCharsets.US_ASCII));
    }

    private static String key(UUID runId) {
        return "cronhook:run-token:" + runId;
    }
}

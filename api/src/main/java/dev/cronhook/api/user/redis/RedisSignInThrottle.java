package dev.cronhook.api.user.redis;

import dev.cronhook.api.user.AuthProperties;
import dev.cronhook.api.user.SignInThrottle;
import dev.cronhook.core.queue.redis.RedisScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The sign-in throttle in Redis, shared by every api replica: per key a failure count (expiring {@code resetAfter}
 * after the last attempt) and a hold whose TTL is the wait. No clock of a replica is involved.
 */
public class RedisSignInThrottle implements SignInThrottle {
    /**
     * KEYS: count, hold. ARGV: free failures, first delay ms, max delay ms, reset-after ms. Returns the hold's
     * remaining ms (refused) or 0 (counted; holds the next attempt back when the count is past the free ones).
     */
    private static final RedisScript ATTEMPT = RedisScript.of("""
            local held = redis.call('PTTL', KEYS[2])
            if held > 0 then return held end
            local n = redis.call('INCR', KEYS[1])
            local free = tonumber(ARGV[1])
            local delay = 0
            if n > free then
              delay = tonumber(ARGV[2]) * (2 ^ math.min(n - free - 1, 40))
              delay = math.min(delay, tonumber(ARGV[3]))
              redis.call('SET', KEYS[2], '1', 'PX', math.floor(delay))
            end
            redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), math.floor(delay)))
            return 0
            """, ScriptOutputType.INTEGER);

    /** KEYS: count, hold. ARGV: '1' to forget every failure (the account's own sign-in), '0' to take one back. */
    private static final RedisScript SUCCEEDED = RedisScript.of("""
            if ARGV[1] == '1' then
              redis.call('DEL', KEYS[1], KEYS[2])
            elseif redis.call('DECR', KEYS[1]) <= 0 then
              redis.call('DEL', KEYS[1])
            end
            return 0
            """, ScriptOutputType.INTEGER);

    private final StatefulRedisConnection<String, String> redis;
    private final AuthProperties.Throttle settings;

    public RedisSignInThrottle(StatefulRedisConnection<String, String> redis, AuthProperties.Throttle settings) {
        this.redis = redis;
        this.settings = settings;
    }

    @Override
    public Duration attempt(String key, int freeFailures) {
        String[] keys = keys(key);
        String[] args = {
            Integer.toString(freeFailures),
            Long.toString(settings.firstDelay().toMillis()),
            Long.toString(settings.maxDelay().toMillis()),
            Long.toString(settings.resetAfter().toMillis())
        };
        Long held = ATTEMPT.await(ATTEMPT.send(redis, keys, args), redis, keys, args);
        return Duration.ofMillis(held);
    }

    @Override
    public void succeeded(String key, boolean forgetEarlierFailures) {
        String[] keys = keys(key);
        String arg = forgetEarlierFailures ? "1" : "0";
        SUCCEEDED.await(SUCCEEDED.send(redis, keys, arg), redis, keys, arg);
    }

    /** Keys hold a hash of the attempted name or address: an attacker's strings never become key names. */
    static String[] keys(String key) {
        String id = sha256(key);
        return new String[] {"cronhook:sign-in:{" + id + "}:failures", "cronhook:sign-in:{" + id + "}:hold"};
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

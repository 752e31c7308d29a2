package dev.cronhook.core.run.redis;

import dev.cronhook.core.queue.redis.RedisScript;
import dev.cronhook.core.run.Admission;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Admission in Redis: a counter per script and second ({@code cronhook:rate:<script>:<second>}, expiring after two
 * seconds), counted in one pipelined round for a batch; an idempotency key is a {@code SET NX} of the run's id under
 * {@code cronhook:idem:<script>:<key>} for the window.
 */
public final class RedisAdmission implements Admission {
    /** Counts ARGV[1] calls in their one-second window; returns the window's count with them. */
    private static final RedisScript COUNT_CALLS = RedisScript.of("""
            local n = redis.call('INCRBY', KEYS[1], ARGV[1])
            if n == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], 2) end
            return n
            """, ScriptOutputType.INTEGER);

    private final StatefulRedisConnection<String, String> redis;

    public RedisAdmission(StatefulRedisConnection<String, String> redis) {
        this.redis = redis;
    }

    static String rateKey(UUID scriptId, long second) {
        return "cronhook:rate:" + scriptId + ":" + second;
    }

    static String idempotencyKey(UUID scriptId, String key) {
        return "cronhook:idem:" + scriptId + ":" + key;
    }

    @Override
    public List<Long> count(List<Calls> calls) {
        var sent = new ArrayList<RedisFuture<Long>>(calls.size());
        for (var c : calls) {
            sent.add(COUNT_CALLS.send(
                    redis, new String[] {rateKey(c.scriptId(), c.second())}, String.valueOf(c.calls())));
        }
        var counts = new ArrayList<Long>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            var c = calls.get(i);
            counts.add(COUNT_CALLS.<Long>await(
                    sent.get(i), redis, new String[] {rateKey(c.scriptId(), c.second())}, String.valueOf(c.calls())));
        }
        return counts;
    }

    @Override
    public Optional<UUID> claim(UUID scriptId, String key, UUID runId, Duration window) {
        String k = idempotencyKey(scriptId, key);
        var sync = redis.sync();
        if ("OK".equals(sync.set(k, runId.toString(), SetArgs.Builder.nx().ex(window)))) return Optional.empty();
        String holder = sync.get(k);
        // expired between the two calls: claim it again
        return holder == null ? claim(scriptId, key, runId, window) : Optional.of(UUID.fromString(holder));
    }
}

package dev.cronhook.core.run.redis;

import dev.cronhook.core.queue.redis.RedisScript;
import dev.cronhook.core.run.Admission;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Admission in Redis: a counter per script and second ({@code cronhook:rate:<script>:<second>}, expiring after two
 * seconds), counted in one pipelined round for a batch; an idempotency key is {@code cronhook:idem:<script>:<key>},
 * set if absent to {@code pending:<run>} while the call is accepted, then to the run's id for the window.
 */
public final class RedisAdmission implements Admission {
    /** Counts ARGV[1] calls in their one-second window; returns the window's count with them. */
    private static final RedisScript COUNT_CALLS = RedisScript.of("""
            local n = redis.call('INCRBY', KEYS[1], ARGV[1])
            if n == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], 2) end
            return n
            """, ScriptOutputType.INTEGER);

    /** The value of a key claimed by a call whose run is not accepted yet: this, then the run id. */
    private static final String PENDING = "pending:";

    /** The key names the accepted run for the window, if it is still the claim of this call. */
    private static final RedisScript CONFIRM = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            end
            return false
            """, ScriptOutputType.STATUS);

    /** Lets the key go, if it is still the claim of this call. */
    private static final RedisScript RELEASE = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
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
    public CompletableFuture<List<Long>> count(List<Calls> calls) {
        var sent = new ArrayList<CompletableFuture<Long>>(calls.size());
        try {
            for (var c : calls) {
                sent.add(COUNT_CALLS.callAsync(
                        redis, new String[] {rateKey(c.scriptId(), c.second())}, String.valueOf(c.calls())));
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                .thenApply(all -> sent.stream().map(CompletableFuture::join).toList());
    }

    @Override
    public Claim claim(UUID scriptId, String key, UUID runId, Duration pendingFor) {
        String k = idempotencyKey(scriptId, key);
        var sync = redis.sync();
        if ("OK".equals(sync.set(k, PENDING + runId, SetArgs.Builder.nx().px(pendingFor.toMillis())))) {
            return new Claim.Claimed();
        }
        String held = sync.get(k);
        if (held == null) return claim(scriptId, key, runId, pendingFor); // it ran out between the two calls
        return held.startsWith(PENDING) ? new Claim.Pending() : new Claim.Held(UUID.fromString(held));
    }

    @Override
    public void confirm(UUID scriptId, String key, UUID runId, Duration window) {
        CONFIRM.call(
                redis,
                new String[] {idempotencyKey(scriptId, key)},
                PENDING + runId,
                runId.toString(),
                Long.toString(window.toMillis()));
    }

    @Override
    public void release(UUID scriptId, String key, UUID runId) {
        RELEASE.call(redis, new String[] {idempotencyKey(scriptId, key)}, PENDING + runId);
    }
}

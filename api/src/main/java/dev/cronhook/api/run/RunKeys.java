package dev.cronhook.api.run;

import dev.cronhook.core.queue.Streams;
import dev.cronhook.core.queue.redis.RedisScript;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's records in Redis (its finished mark and its live log) are written to last the executor's key TTL (a
 * day by default), so nothing is lost while the api is away. Once the database holds what a record held, it needs
 * to last only a short while more: without this, a platform doing 1,000 runs a second would keep tens of millions
 * of such keys in Redis. The finished mark keeps {@code recordedTtl} (minutes: it is what makes a run redelivered
 * after its executor died between finishing and acknowledging it finish only once); the live log, a stream that
 * costs Redis ~5 KB however short (only runs that logged have one), keeps {@code archivedLogTtl} (a minute:
 * followers then read the archive). Shortening never lengthens a key ({@code EXPIRE … LT}), and a failure only leaves keys to
 * their longer expiry.
 */
public class RunKeys {
    private static final Logger log = LoggerFactory.getLogger(RunKeys.class);

    /**
     * KEYS: the finished marks of N runs, then their live logs; ARGV: the marks' TTL (s). Shortens each mark and
     * returns the 1-based positions of the runs that have a live log: one call for a batch, where a command per
     * key and run cost the api and Redis more than the recording itself.
     */
    private static final RedisScript RECORDED = RedisScript.of("""
            local n = #KEYS / 2
            local logged = {}
            for i = 1, n do
              redis.call('EXPIRE', KEYS[i], ARGV[1], 'LT')
              if redis.call('EXISTS', KEYS[n + i]) == 1 then logged[#logged + 1] = i end
            end
            return logged
            """, ScriptOutputType.MULTI);

    private final StatefulRedisConnection<String, String> redis;
    private final Duration recordedTtl;
    private final Duration archivedLogTtl;

    public RunKeys(StatefulRedisConnection<String, String> redis, Duration recordedTtl, Duration archivedLogTtl) {
        if (recordedTtl.toSeconds() < 1 || archivedLogTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("the TTLs of recorded runs' keys must be at least 1 s");
        }
        this.redis = redis;
        this.recordedTtl = recordedTtl;
        this.archivedLogTtl = archivedLogTtl;
    }

    /**
     * Shortens the finished marks of runs whose end the database has recorded, and returns those of them that
     * have a live log (most runs print nothing, and have none); all of them when Redis could not be asked.
     */
    public List<UUID> recorded(List<UUID> runIds) {
        if (runIds.isEmpty()) return List.of();
        var keys = new String[runIds.size() * 2];
        for (int i = 0; i < runIds.size(); i++) {
            keys[i] = Streams.finishedKey(runIds.get(i));
            keys[runIds.size() + i] = Streams.runLog(runIds.get(i));
        }
        try {
            List<Object> positions = RECORDED.call(redis, keys, String.valueOf(recordedTtl.toSeconds()));
            var logged = new ArrayList<UUID>(positions.size());
            for (Object position : positions) logged.add(runIds.get(((Long) position).intValue() - 1));
            return logged;
        } catch (RuntimeException e) {
            log.debug("could not shorten the expiry of {} finished marks: {}", runIds.size(), e.toString());
            return runIds;
        }
    }

    /** The live logs of runs whose lines are in the log store, or are kept elsewhere (CloudWatch). */
    public void logsKept(List<UUID> runIds) {
        shorten(runIds, Streams::runLog, archivedLogTtl);
    }

    private void shorten(List<UUID> runIds, Function<UUID, String> key, Duration ttl) {
        if (runIds.isEmpty()) return;
        var async = redis.async();
        var sent = new ArrayList<RedisFuture<Boolean>>(runIds.size());
        for (UUID id : runIds) sent.add(async.expire(key.apply(id), ttl.toSeconds(), ExpireArgs.Builder.lt()));
        try {
            for (var reply : sent) reply.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("could not shorten the expiry of {} run keys: {}", runIds.size(), e.toString());
        }
    }
}

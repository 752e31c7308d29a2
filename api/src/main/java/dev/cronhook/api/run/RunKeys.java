package dev.cronhook.api.run;

import dev.cronhook.core.queue.Streams;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.RedisFuture;
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

    /** The finished marks of runs whose end the database has recorded. */
    public void recorded(List<UUID> runIds) {
        shorten(runIds, Streams::finishedKey, recordedTtl);
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

package dev.cronhook.core.run.redis;

import dev.cronhook.core.queue.redis.RedisScript;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.FinishedRuns;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Published ends in Redis: the finished mark of a run ({@link Streams#finishedKey}) holds its end as the executor
 * published it, and {@link Streams#RUN_FINISHED_CHANNEL} announces each end (the end itself, or only the run id when
 * it is large) to every api replica, which wakes its own waiter if it has one. Marks and live logs are written to last
 * the executors' key TTL (a day), so nothing is lost while the api is away; once the database holds an end, its mark
 * keeps {@code recordedTtl} (minutes: it is what makes a run redelivered after its executor died between finishing
 * and acknowledging finish only once) and a live log {@code archivedLogTtl} (a stream costs Redis ~5 KB however
 * short). Shortening never lengthens a key ({@code EXPIRE … LT}), and a failure only leaves keys to their longer
 * expiry. {@link #start} subscribes; {@link #close} stops.
 */
public final class RedisFinishedRuns implements FinishedRuns, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisFinishedRuns.class);

    // a RunResult's JSON opens with its run id (records serialize their components in order)
    private static final String RESULT_PREFIX = "{\"runId\":\"";

    /**
     * KEYS: the finished marks of N runs, then their live logs; ARGV: the marks' TTL (s). Shortens each mark and
     * returns the 1-based positions of the runs that have a live log: one call for a batch.
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

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> redis;
    private final Duration recordedTtl;
    private final Duration archivedLogTtl;
    private final Map<UUID, CompletableFuture<Optional<RunResult>>> waiting = new ConcurrentHashMap<>();
    private volatile StatefulRedisPubSubConnection<String, String> announcements;

    public RedisFinishedRuns(
            RedisClient client,
            StatefulRedisConnection<String, String> redis,
            Duration recordedTtl,
            Duration archivedLogTtl) {
        if (recordedTtl.toSeconds() < 1 || archivedLogTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("the TTLs of recorded runs' keys must be at least 1 s");
        }
        this.client = client;
        this.redis = redis;
        this.recordedTtl = recordedTtl;
        this.archivedLogTtl = archivedLogTtl;
    }

    /** Subscribes to the announcements of ends. */
    public synchronized void start() {
        if (announcements != null) return;
        var c = client.connectPubSub();
        c.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                wake(message);
            }
        });
        c.sync().subscribe(Streams.RUN_FINISHED_CHANNEL);
        announcements = c;
    }

    public boolean isRunning() {
        return announcements != null;
    }

    @Override
    public synchronized void close() {
        if (announcements != null) announcements.close();
        announcements = null;
    }

    @Override
    public Optional<RunResult> find(UUID runId) {
        String published;
        try {
            published = redis.sync().get(Streams.finishedKey(runId));
        } catch (RedisException e) {
            return Optional.empty();
        }
        return published == null ? Optional.empty() : Optional.of(Wire.json().readValue(published, RunResult.class));
    }

    @Override
    public Map<UUID, RunResult> findAll(Collection<UUID> runIds) {
        var ends = new HashMap<UUID, RunResult>();
        if (runIds.isEmpty()) return ends;
        List<KeyValue<String, String>> published;
        try {
            published =
                    redis.sync().mget(runIds.stream().map(Streams::finishedKey).toArray(String[]::new));
        } catch (RedisException e) {
            return ends;
        }
        for (KeyValue<String, String> kv : published) {
            if (kv.hasValue()) {
                var end = Wire.json().readValue(kv.getValue(), RunResult.class);
                ends.put(end.runId(), end);
            }
        }
        return ends;
    }

    @Override
    public CompletableFuture<Optional<RunResult>> await(UUID runId) {
        var end = new CompletableFuture<Optional<RunResult>>();
        waiting.put(runId, end);
        return end;
    }

    @Override
    public void publishedHere(RunResult end) {
        var waiter = waiting.remove(end.runId());
        if (waiter != null) waiter.complete(Optional.of(end));
    }

    @Override
    public void forget(UUID runId) {
        waiting.remove(runId);
    }

    void wake(String message) {
        try {
            if (message.startsWith(RESULT_PREFIX)) {
                // only the replica with the waiter reads the whole result
                var id = UUID.fromString(message.substring(RESULT_PREFIX.length(), RESULT_PREFIX.length() + 36));
                var end = waiting.remove(id);
                if (end != null) end.complete(Optional.of(Wire.json().readValue(message, RunResult.class)));
            } else {
                var end = waiting.remove(UUID.fromString(message));
                if (end != null) end.complete(Optional.empty());
            }
        } catch (RuntimeException ignored) {
            // not an announcement of ours
        }
    }

    @Override
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

    @Override
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

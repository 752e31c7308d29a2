package dev.cronhook.executor.worker.redis;

import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.worker.LiveLogs;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Live logs as Redis streams: every line is XADDed (fields {@code t}, {@code stream}, {@code line}) to
 * {@link Streams#runLog(UUID)} without waiting, the stream expiring after {@code ttl}. (The {@code end} entry is
 * written with the final result, by {@link RedisRunLedger}.)
 */
public final class RedisLiveLogs implements LiveLogs {
    private final StatefulRedisConnection<String, String> redis;
    private final Duration ttl;

    public RedisLiveLogs(StatefulRedisConnection<String, String> redis, Duration ttl) {
        this.redis = redis;
        this.ttl = ttl;
    }

    @Override
    public LiveLogs.Writer open(UUID runId) {
        return new Writer(redis, runId, ttl);
    }

    private static final class Writer implements LiveLogs.Writer {
        private final StatefulRedisConnection<String, String> redis;
        private final String key;
        private final Duration ttl;
        private final List<RedisFuture<?>> pending = new ArrayList<>();
        private boolean expirySet;

        Writer(StatefulRedisConnection<String, String> redis, UUID runId, Duration ttl) {
            this.redis = redis;
            this.key = Streams.runLog(runId);
            this.ttl = ttl;
        }

        @Override
        public synchronized void line(Instant time, LogStream stream, String line) {
            pending.add(redis.async()
                    .xadd(
                            key,
                            Map.of(
                                    "t",
                                    String.valueOf(time.toEpochMilli()),
                                    "stream",
                                    stream.wireName(),
                                    "line",
                                    line)));
            if (!expirySet) {
                expirySet = true;
                pending.add(redis.async().expire(key, ttl));
            }
            if (pending.size() >= 256) flush();
        }

        /** Completes when every line so far is in Redis (at once when there were none). */
        @Override
        public synchronized CompletableFuture<Void> flushAsync() {
            if (pending.isEmpty()) return CompletableFuture.completedFuture(null);
            var futures = pending.stream().map(f -> f.toCompletableFuture()).toArray(CompletableFuture[]::new);
            pending.clear();
            return CompletableFuture.allOf(futures);
        }

        /** Waits until every line so far is in Redis. */
        @Override
        public synchronized void flush() {
            var futures = pending.toArray(RedisFuture[]::new);
            pending.clear();
            LettuceFutures.awaitAll(10, TimeUnit.SECONDS, futures);
        }
    }
}

package dev.cronhook.builder.log.redis;

import dev.cronhook.builder.log.BuildLogSink;
import dev.cronhook.builder.log.BuildLogs;
import dev.cronhook.core.queue.redis.Streams;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.UUID;

/** Build logs as Redis streams ({@link Streams#buildLog}), each expiring after {@code ttl}. */
public final class RedisBuildLogs implements BuildLogs {
    private final StatefulRedisConnection<String, String> redis;
    private final Duration ttl;

    public RedisBuildLogs(StatefulRedisConnection<String, String> redis, Duration ttl) {
        this.redis = redis;
        this.ttl = ttl;
    }

    @Override
    public BuildLogSink open(UUID scriptId, int version, boolean fresh) {
        String key = Streams.buildLog(scriptId, version);
        if (fresh) redis.sync().del(key);
        return new RedisBuildLogSink(redis, key, ttl);
    }
}

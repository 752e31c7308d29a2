package dev.cronhook.builder.worker.redis;

import dev.cronhook.builder.BuildPipeline;
import dev.cronhook.builder.log.redis.RedisBuildLogs;
import dev.cronhook.builder.worker.BuildWorker;
import dev.cronhook.core.queue.redis.RedisQueues;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;

/** A {@link BuildWorker} on Redis: its queues and its live build logs. */
public final class RedisBuildWorkers {
    private RedisBuildWorkers() {}

    public static BuildWorker create(
            RedisClient client,
            StatefulRedisConnection<String, String> redis,
            BuildPipeline pipeline,
            BuildWorker.Settings settings,
            Clock clock) {
        return new BuildWorker(
                new RedisQueues(client, redis),
                new RedisBuildLogs(redis, settings.logTtl()),
                pipeline,
                settings,
                clock);
    }
}

package dev.cronhook.core.queue.redis;

import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.Queues;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/** The platform's queues as Redis streams with consumer groups ({@link RedisWorkQueue}). */
public final class RedisQueues implements Queues {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> redis;

    public RedisQueues(RedisClient client, StatefulRedisConnection<String, String> redis) {
        this.client = client;
        this.redis = redis;
    }

    @Override
    public <T> RedisWorkQueue<T> open(QueueSpec<T> spec, QueueOptions<T> options) {
        return new RedisWorkQueue<>(client, redis, spec.name(), spec.group(), spec.type(), Wire.json(), options);
    }
}

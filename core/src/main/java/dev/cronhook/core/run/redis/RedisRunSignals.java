package dev.cronhook.core.run.redis;

import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunSignals;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Cancel signals in Redis: a mark per cancelled run ({@link Streams#cancelledKey}, a day) that an executor checks
 * before it starts a run, and an announcement on {@link Streams#CANCEL_CHANNEL} for the executor holding it.
 */
public final class RedisRunSignals implements RunSignals {
    private static final Duration MARK_TTL = Duration.ofDays(1);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> redis;

    public RedisRunSignals(RedisClient client, StatefulRedisConnection<String, String> redis) {
        this.client = client;
        this.redis = redis;
    }

    @Override
    public void cancel(UUID runId) {
        var sync = redis.sync();
        sync.set(Streams.cancelledKey(runId), "1", SetArgs.Builder.ex(MARK_TTL));
        sync.publish(Streams.CANCEL_CHANNEL, runId.toString());
    }

    @Override
    public boolean cancelled(UUID runId) {
        return redis.sync().exists(Streams.cancelledKey(runId)) > 0;
    }

    @Override
    public AutoCloseable onCancel(Consumer<UUID> listener) {
        var connection = client.connectPubSub();
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                try {
                    listener.accept(UUID.fromString(message.trim()));
                } catch (IllegalArgumentException e) {
                    // not a run id: not a signal of ours
                }
            }
        });
        connection.sync().subscribe(Streams.CANCEL_CHANNEL);
        return connection::close;
    }
}

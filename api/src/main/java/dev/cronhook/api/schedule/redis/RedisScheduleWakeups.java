package dev.cronhook.api.schedule.redis;

import dev.cronhook.api.schedule.ScheduleWakeups;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ScheduleWakeups} over the Redis channel {@value #CHANNEL}; listening takes a pub/sub connection of its own. */
public class RedisScheduleWakeups implements ScheduleWakeups {
    private static final Logger log = LoggerFactory.getLogger(RedisScheduleWakeups.class);
    static final String CHANNEL = "cronhook:schedules-changed";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    public RedisScheduleWakeups(RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.client = client;
        this.connection = connection;
    }

    @Override
    public void announce() {
        connection.async().publish(CHANNEL, "1").exceptionally(e -> {
            log.debug("could not announce a schedule change: {}", e.toString());
            return 0L;
        });
    }

    @Override
    public AutoCloseable listen(Runnable onChange) {
        var pubSub = client.connectPubSub();
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                onChange.run();
            }

            /**
             * Lettuce subscribes again after it reconnects (a Redis restart): what was announced while this replica
             * was not listening is not sent again, so the replica looks as if it had been told.
             */
            @Override
            public void subscribed(String channel, long count) {
                onChange.run();
            }
        });
        pubSub.sync().subscribe(CHANNEL);
        return pubSub::close;
    }
}

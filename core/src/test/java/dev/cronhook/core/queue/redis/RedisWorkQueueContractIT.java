package dev.cronhook.core.queue.redis;

import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.WorkQueueContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The Redis streams queue passes the work queue's contract (logical database 13, a fresh stream per test). */
class RedisWorkQueueContractIT extends WorkQueueContract {
    static final String REDIS = System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL_13", "redis://127.0.0.1:6379/13");

    RedisClient client;
    StatefulRedisConnection<String, String> redis;
    final String stream = "test:queue:" + UUID.randomUUID();

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS);
        redis = client.connect();
    }

    @AfterEach
    void close() {
        redis.sync().del(stream, stream + ":dead");
        redis.close();
        client.shutdown();
    }

    @Override
    protected WorkQueue<String> queue(QueueOptions<String> options) {
        return new RedisQueues(client, redis).open(new QueueSpec<>(stream, "tests", String.class), options);
    }
}

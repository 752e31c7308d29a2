package dev.cronhook.core.run.redis;

import dev.cronhook.core.run.RunSignals;
import dev.cronhook.core.run.RunSignalsContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The cancel signals on the real Redis (logical database 13, left to this module's tests). */
class RedisRunSignalsIT extends RunSignalsContract {
    static final String REDIS = System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL_13", "redis://127.0.0.1:6379/13");

    RedisClient client;
    StatefulRedisConnection<String, String> redis;
    RedisRunSignals signals;

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS);
        redis = client.connect();
        signals = new RedisRunSignals(client, redis);
    }

    @AfterEach
    void close() {
        redis.close();
        client.shutdown();
    }

    @Override
    protected RunSignals signals() {
        return signals;
    }
}

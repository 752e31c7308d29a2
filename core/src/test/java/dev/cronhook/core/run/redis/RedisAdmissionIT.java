package dev.cronhook.core.run.redis;

import dev.cronhook.core.run.Admission;
import dev.cronhook.core.run.AdmissionContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Admission on the real Redis (logical database 13, left to this module's tests). */
class RedisAdmissionIT extends AdmissionContract {
    static final String REDIS = System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL_13", "redis://127.0.0.1:6379/13");

    RedisClient client;
    StatefulRedisConnection<String, String> redis;

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS);
        redis = client.connect();
    }

    @AfterEach
    void close() {
        redis.close();
        client.shutdown();
    }

    @Override
    protected Admission admission() {
        return new RedisAdmission(redis);
    }
}

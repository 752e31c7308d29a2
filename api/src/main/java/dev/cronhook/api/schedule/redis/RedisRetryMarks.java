package dev.cronhook.api.schedule.redis;

import dev.cronhook.api.schedule.RetryMarks;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.UUID;

/** Retry marks in Redis: {@code cronhook:retried:<run>}, set if absent, for a week. */
public final class RedisRetryMarks implements RetryMarks {
    private static final Duration MARK_TTL = Duration.ofDays(7);

    private final StatefulRedisConnection<String, String> redis;

    public RedisRetryMarks(StatefulRedisConnection<String, String> redis) {
        this.redis = redis;
    }

    @Override
    public boolean mark(UUID failedRunId) {
        return "OK"
                .equals(redis.sync()
                        .set(key(failedRunId), "1", SetArgs.Builder.nx().ex(MARK_TTL)));
    }

    @Override
    public void unmark(UUID failedRunId) {
        redis.sync().del(key(failedRunId));
    }

    private static String key(UUID failedRunId) {
        return "cronhook:retried:" + failedRunId;
    }
}

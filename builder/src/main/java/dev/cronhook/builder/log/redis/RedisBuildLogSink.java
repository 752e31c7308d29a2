package dev.cronhook.builder.log.redis;

import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.log.BuildLogSink;
import dev.cronhook.core.build.BuildState;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BuildLogSink} on a Redis stream ({@code Streams.buildLog}): XADD {@code t}, {@code stream}, {@code line}
 * per line, a last entry with {@code end}, and a TTL on the stream. Lines are sent without waiting (one
 * connection keeps their order); {@link #end} waits so the log is complete before the result is published.
 */
public final class RedisBuildLogSink implements BuildLogSink {
    private static final Logger log = LoggerFactory.getLogger(RedisBuildLogSink.class);

    private final StatefulRedisConnection<String, String> redis;
    private final String key;
    private final Duration ttl;
    private volatile boolean expirySet;

    public RedisBuildLogSink(StatefulRedisConnection<String, String> redis, String key, Duration ttl) {
        this.redis = redis;
        this.key = key;
        this.ttl = ttl;
    }

    @Override
    public void line(long epochMillis, BuildLog.Source source, String line) {
        try {
            redis.async().xadd(key, Map.of("t", Long.toString(epochMillis), "stream", source.wireName(), "line", line));
            if (!expirySet) {
                expirySet = true;
                redis.async().expire(key, ttl);
            }
        } catch (RuntimeException e) {
            log.debug("build log {}: cannot append: {}", key, e.toString());
        }
    }

    @Override
    public void end(long epochMillis, BuildState outcome) {
        try {
            redis.async()
                    .xadd(key, Map.of("t", Long.toString(epochMillis), "stream", "system", "end", outcome.name()))
                    .get(5, TimeUnit.SECONDS);
            redis.async().expire(key, ttl).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("build log {}: cannot write its end: {}", key, e.toString());
        }
    }
}

package dev.cronhook.builder;

import dev.cronhook.core.build.BuildRequest;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Redis for the builder ITs. They use the real stream names in their own database (index 11 unless
 * CRONHOOK_TEST_BUILDER_REDIS_URL says otherwise), so a builder or api started by another module's tests on the
 * same server does not take their messages.
 */
public final class RedisTestSupport implements AutoCloseable {
    public final RedisClient client;
    public final StatefulRedisConnection<String, String> connection;

    public RedisTestSupport() {
        client = RedisClient.create(
                System.getenv().getOrDefault("CRONHOOK_TEST_BUILDER_REDIS_URL", "redis://127.0.0.1:6379/11"));
        connection = client.connect();
    }

    /** Starts from empty build streams (this database is the builder ITs' own). */
    public void clearBuildStreams() {
        connection.sync().del(Streams.BUILDS, Streams.BUILDS + ":dead", Streams.BUILD_RESULTS);
    }

    public void enqueue(BuildRequest request) {
        connection.sync().xadd(Streams.BUILDS, Map.of("m", Wire.json().writeValueAsString(request)));
    }

    /** The results published so far for one script, oldest first. */
    public List<BuildResult> resultsFor(UUID scriptId) {
        return connection.sync().xrange(Streams.BUILD_RESULTS, Range.create("-", "+")).stream()
                .map(m -> Wire.json().readValue(m.getBody().get("m"), BuildResult.class))
                .filter(r -> r.scriptId().equals(scriptId))
                .toList();
    }

    public List<Map<String, String>> buildLog(UUID scriptId, int version) {
        return connection.sync().xrange(Streams.buildLog(scriptId, version), Range.create("-", "+")).stream()
                .map(m -> m.getBody())
                .toList();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}

package dev.cronhook.api.metrics.redis;

import dev.cronhook.core.queue.redis.Streams;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The depth of each work stream ({@code cronhook_queue_depth}: entries not yet acknowledged, waiting or in a
 * worker's hands, since acknowledged ones are deleted) and the age of its oldest entry ({@code
 * cronhook_queue_oldest_age_seconds}, from the entry's id), read from Redis at each scrape.
 */
@Component
public class RedisQueueMetrics implements MeterBinder {
    private static final List<String> STREAMS =
            List.of(Streams.BUILDS, Streams.BUILD_RESULTS, Streams.RUNS, Streams.RUN_RESULTS, Streams.TRY_OUTS);

    private final StatefulRedisConnection<String, String> redis;

    public RedisQueueMetrics(StatefulRedisConnection<String, String> redis) {
        this.redis = redis;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (var stream : STREAMS) {
            String name = stream.substring(stream.indexOf(':') + 1);
            Gauge.builder("cronhook.queue.depth", () -> depth(stream))
                    .description("entries of a work stream not yet acknowledged")
                    .tag("stream", name)
                    .register(registry);
            Gauge.builder("cronhook.queue.oldest.age", () -> oldestAgeSeconds(stream))
                    .description("age of the oldest entry of a work stream not yet acknowledged")
                    .tag("stream", name)
                    .baseUnit("seconds")
                    .register(registry);
        }
    }

    private double depth(String stream) {
        try {
            return redis.sync().xlen(stream);
        } catch (RedisException e) {
            return Double.NaN;
        }
    }

    private double oldestAgeSeconds(String stream) {
        try {
            var first = redis.sync().xrange(stream, Range.create("-", "+"), io.lettuce.core.Limit.from(1));
            if (first.isEmpty()) return 0;
            String id = first.getFirst().getId();
            long millis = Long.parseLong(id.substring(0, id.indexOf('-')));
            return Math.max(0, System.currentTimeMillis() - millis) / 1000.0;
        } catch (RedisException | NumberFormatException e) {
            return Double.NaN;
        }
    }
}

package dev.cronhook.app.testing;

import dev.cronhook.core.queue.redis.Streams;
import io.lettuce.core.RedisClient;

/** The run queue as a test sees it in Redis. */
public final class RunQueue {
    private RunQueue() {}

    /** How many requests were ever appended to the run queue (the stream's own counter; 0 before it exists). */
    public static long appended(String redisUrl) {
        var client = RedisClient.create(redisUrl);
        try (var c = client.connect()) {
            if (c.sync().exists(Streams.RUNS) == 0) return 0;
            var info = c.sync().xinfoStream(Streams.RUNS);
            for (int i = 0; i + 1 < info.size(); i += 2) {
                if ("entries-added".equals(String.valueOf(info.get(i)))) return (Long) info.get(i + 1);
            }
            throw new AssertionError("no entries-added in " + info);
        } finally {
            client.shutdown();
        }
    }
}

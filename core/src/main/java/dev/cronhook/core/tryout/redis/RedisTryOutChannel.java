package dev.cronhook.core.tryout.redis;

import dev.cronhook.core.queue.redis.RedisScript;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.tryout.TryOutChannel;
import dev.cronhook.core.tryout.TryOutEvent;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link TryOutChannel} on Redis: a stream per try-out ({@link Streams#tryOutEvents}, one JSON event per entry,
 * kept an hour), read with blocking XREAD on the reader's own connection and trimmed to its end entry once the
 * end is read; worker liveness in a sorted set ({@link Streams#TRY_OUT_WORKERS}) scored with Redis's own clock,
 * so the clocks of the hosts do not matter.
 */
public final class RedisTryOutChannel implements TryOutChannel {
    private static final Logger log = LoggerFactory.getLogger(RedisTryOutChannel.class);
    private static final String FIELD = "e";
    private static final Duration KEEP = Duration.ofHours(1);
    private static final String NOW =
            "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000" + " + math.floor(tonumber(t[2]) / 1000) ";
    private static final RedisScript HEARTBEAT = RedisScript.of(
            NOW
                    + "redis.call('ZADD', KEYS[1], now, ARGV[1])"
                    + " redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2])) return now",
            ScriptOutputType.INTEGER);
    private static final RedisScript ALIVE = RedisScript.of(
            NOW + "return redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')", ScriptOutputType.INTEGER);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> shared;
    private final JsonMapper json;

    public RedisTryOutChannel(RedisClient client, StatefulRedisConnection<String, String> shared, JsonMapper json) {
        this.client = client;
        this.shared = shared;
        this.json = json;
    }

    @Override
    public void publish(UUID tryOutId, TryOutEvent event) {
        String key = Streams.tryOutEvents(tryOutId);
        var body = Map.of(FIELD, json.writeValueAsString(event));
        // lines go out pipelined, in order on the one connection; the end waits, and so for everything before it
        var redis = shared.async();
        var added = redis.xadd(key, body);
        if (event instanceof TryOutEvent.Started || event.isEnd()) redis.expire(key, KEEP);
        if (event.isEnd()) {
            try {
                added.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing the end of try-out " + tryOutId, e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new io.lettuce.core.RedisException("cannot publish the end of try-out " + tryOutId, e);
            }
        }
    }

    @Override
    public boolean hasEnded(UUID tryOutId) {
        var last = shared.sync().xrevrange(Streams.tryOutEvents(tryOutId), Range.create("-", "+"), Limit.from(1));
        if (last.isEmpty()) return false;
        var event = parse(last.getFirst());
        return event != null && event.isEnd();
    }

    @Override
    public Reader read(UUID tryOutId) {
        return new StreamReader(Streams.tryOutEvents(tryOutId));
    }

    @Override
    public void heartbeat(String worker) {
        HEARTBEAT.call(shared, new String[] {Streams.TRY_OUT_WORKERS}, worker, Long.toString(KEEP.toMillis()));
    }

    @Override
    public void leave(String worker) {
        shared.sync().zrem(Streams.TRY_OUT_WORKERS, worker);
    }

    @Override
    public boolean anyWorkerAlive(Duration within) {
        Long count = ALIVE.call(shared, new String[] {Streams.TRY_OUT_WORKERS}, Long.toString(within.toMillis()));
        return count != null && count > 0;
    }

    private TryOutEvent parse(StreamMessage<String, String> m) {
        String text = m.getBody() == null ? null : m.getBody().get(FIELD);
        if (text == null) return null;
        try {
            return json.readValue(text, TryOutEvent.class);
        } catch (RuntimeException e) {
            // written by a newer worker: skipped rather than failing the try-out
            log.debug("{}: unreadable try-out event {}: {}", m.getStream(), m.getId(), e.toString());
            return null;
        }
    }

    private final class StreamReader implements Reader {
        private final String key;
        private final StatefulRedisConnection<String, String> connection;
        private String after = "0-0";

        StreamReader(String key) {
            this.key = key;
            this.connection = client.connect();
        }

        @Override
        public List<TryOutEvent> next(Duration wait) {
            var batch = connection
                    .sync()
                    .xread(
                            XReadArgs.Builder.block(Math.max(1, wait.toMillis()))
                                    .count(500),
                            XReadArgs.StreamOffset.from(key, after));
            var events = new ArrayList<TryOutEvent>(batch.size());
            for (var m : batch) {
                after = m.getId();
                var event = parse(m);
                if (event == null) continue;
                events.add(event);
                if (event.isEnd()) {
                    // the lines have been read: keep only the end, which tells a late worker not to run it
                    connection.sync().xtrim(key, 1);
                    break;
                }
            }
            return events;
        }

        @Override
        public void close() {
            connection.close();
        }
    }
}

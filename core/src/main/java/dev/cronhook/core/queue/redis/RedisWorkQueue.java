package dev.cronhook.core.queue.redis;

import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.WorkQueue;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link WorkQueue} on a Redis stream with one consumer group: XREADGROUP to receive, XACK + XDEL after the
 * handler, XCLAIM heartbeats while a message is in hand, XAUTOCLAIM to take over the messages of a dead
 * consumer, and a dead-letter stream ({@code <stream>:dead}) after too many deliveries.
 */
public final class RedisWorkQueue<T> implements WorkQueue<T> {
    private static final Logger log = LoggerFactory.getLogger(RedisWorkQueue.class);
    private static final String FIELD = "m";
    private static final long BLOCK_MILLIS = 1000;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> shared;
    private final String stream;
    private final String group;
    private final Class<T> type;
    private final JsonMapper json;
    private final QueueOptions<T> options;

    public RedisWorkQueue(
            RedisClient client,
            StatefulRedisConnection<String, String> shared,
            String stream,
            String group,
            Class<T> type,
            JsonMapper json,
            QueueOptions<T> options) {
        this.client = client;
        this.shared = shared;
        this.stream = stream;
        this.group = group;
        this.type = type;
        this.json = json;
        this.options = options;
    }

    public String stream() {
        return stream;
    }

    public String deadLetterStream() {
        return stream + ":dead";
    }

    @Override
    public String enqueue(T message) {
        return shared.sync().xadd(stream, Map.of(FIELD, json.writeValueAsString(message)));
    }

    /** Messages delivered but not yet acknowledged, across all consumers of the group. */
    public long pending() {
        try {
            return shared.sync().xpending(stream, group).getCount();
        } catch (RedisCommandExecutionException e) {
            return 0;
        }
    }

    @Override
    public Worker consume(String consumerName, MessageHandler<T> handler) {
        ensureGroup(shared.sync());
        var worker = new StreamWorker(consumerName, handler);
        worker.start();
        return worker;
    }

    private void ensureGroup(RedisCommands<String, String> redis) {
        try {
            redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), group, XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException e) {
            // BUSYGROUP: another replica created it first
        }
    }

    private final class StreamWorker implements Worker {
        private final String name;
        private final MessageHandler<T> handler;
        private final Semaphore permits;
        private final Set<String> inHand = ConcurrentHashMap.newKeySet();
        private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        private final StatefulRedisConnection<String, String> reader;
        private volatile boolean running = true;
        private Thread loop;
        private Thread heartbeat;

        StreamWorker(String name, MessageHandler<T> handler) {
            this.name = name;
            this.handler = handler;
            this.permits = new Semaphore(options.concurrency());
            this.reader = client.connect();
        }

        void start() {
            loop = Thread.ofVirtual().name("queue-" + stream + "-" + name).start(this::readLoop);
            heartbeat = Thread.ofVirtual().name("queue-heartbeat-" + stream).start(this::heartbeatLoop);
        }

        private void readLoop() {
            var redis = reader.sync();
            var consumer = Consumer.from(group, name);
            long lastReclaim = 0;
            long backoff = 100;
            while (running) {
                try {
                    long now = System.currentTimeMillis();
                    if (now - lastReclaim >= reclaimEveryMillis()) {
                        lastReclaim = now;
                        reclaim(redis, consumer);
                    }
                    int free = awaitPermits();
                    if (free == 0) continue;
                    List<StreamMessage<String, String>> messages;
                    try {
                        messages = redis.xreadgroup(
                                consumer,
                                XReadArgs.Builder.block(BLOCK_MILLIS).count(free),
                                XReadArgs.StreamOffset.lastConsumed(stream));
                    } finally {
                        permits.release(free);
                    }
                    for (var m : messages) dispatch(m, 1);
                    backoff = 100;
                } catch (RedisCommandExecutionException e) {
                    if (String.valueOf(e.getMessage()).startsWith("NOGROUP")) {
                        // Redis lost the group (restart without persistence): recreate it and go on
                        ensureGroup(redis);
                    } else {
                        backoff = pause(backoff, e);
                    }
                } catch (RuntimeException e) {
                    if (!running) break;
                    backoff = pause(backoff, e);
                }
            }
        }

        private int awaitPermits() {
            try {
                if (!permits.tryAcquire(1, 200, TimeUnit.MILLISECONDS)) return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
                return 0;
            }
            return 1 + permits.drainPermits();
        }

        private long reclaimEveryMillis() {
            return Math.max(100, options.visibilityTimeout().toMillis() / 2);
        }

        private void reclaim(RedisCommands<String, String> redis, Consumer<String> consumer) {
            var claimed = redis.xautoclaim(
                    stream,
                    XAutoClaimArgs.Builder.xautoclaim(consumer, options.visibilityTimeout(), "0-0")
                            .count(16));
            for (var m : claimed.getMessages()) {
                if (m.getBody() == null || !m.getBody().containsKey(FIELD)) {
                    // deleted from the stream while pending: nothing left to deliver
                    redis.xack(stream, group, m.getId());
                    continue;
                }
                var pending = redis.xpending(stream, group, Range.create(m.getId(), m.getId()), Limit.from(1));
                long count = pending.isEmpty() ? 1 : pending.getFirst().getRedeliveryCount();
                if (count > options.maxDeliveries()) {
                    deadLetter(m, "delivered " + (count - 1) + " times without being finished (its worker kept dying)");
                } else {
                    dispatch(m, count);
                }
            }
        }

        private void dispatch(StreamMessage<String, String> m, long deliveryCount) {
            T message;
            try {
                message = json.readValue(m.getBody().get(FIELD), type);
            } catch (RuntimeException e) {
                deadLetter(m, "unreadable message: " + e.getMessage());
                return;
            }
            permits.acquireUninterruptibly();
            inHand.add(m.getId());
            handlers.submit(() -> {
                try {
                    handler.handle(new Delivery<>(m.getId(), message, deliveryCount));
                    // pipelined, not awaited: the handler's work is durable already, and a lost ack only means a
                    // redelivery that the idempotent handler absorbs; waiting would cost two round trips a message
                    var redis = shared.async();
                    redis.xack(stream, group, m.getId());
                    redis.xdel(stream, m.getId()).whenComplete((n, e) -> {
                        if (e != null) log.debug("{}: ack of {} failed: {}", stream, m.getId(), e.toString());
                    });
                } catch (Exception e) {
                    log.warn("{}: message {} failed, it stays pending: {}", stream, m.getId(), e.toString());
                } finally {
                    inHand.remove(m.getId());
                    permits.release();
                }
            });
        }

        private void deadLetter(StreamMessage<String, String> m, String reason) {
            var body = m.getBody() == null ? Map.<String, String>of() : m.getBody();
            var redis = shared.sync();
            redis.xadd(
                    deadLetterStream(), Map.of(FIELD, body.getOrDefault(FIELD, ""), "reason", reason, "id", m.getId()));
            T message = null;
            try {
                if (body.containsKey(FIELD)) message = json.readValue(body.get(FIELD), type);
            } catch (RuntimeException ignored) {
                // unreadable: dead-lettered as raw text only
            }
            if (message != null) {
                try {
                    options.onDeadLetter().accept(message, reason);
                } catch (RuntimeException e) {
                    log.error("{}: dead-letter handler failed for {}; message kept pending", stream, m.getId(), e);
                    return;
                }
            }
            redis.xack(stream, group, m.getId());
            redis.xdel(stream, m.getId());
            log.warn("{}: message {} dead-lettered: {}", stream, m.getId(), reason);
        }

        private void heartbeatLoop() {
            long every = Math.max(50, options.visibilityTimeout().toMillis() / 3);
            while (running) {
                try {
                    Thread.sleep(every);
                    if (inHand.isEmpty()) continue;
                    shared.sync()
                            .xclaim(
                                    stream,
                                    Consumer.from(group, name),
                                    XClaimArgs.Builder.minIdleTime(0).justid(),
                                    inHand.toArray(String[]::new));
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    log.debug("{}: heartbeat failed: {}", stream, e.toString());
                }
            }
        }

        private long pause(long backoff, Exception e) {
            log.warn("{}: consumer {} cannot read ({}), retrying in {} ms", stream, name, e.toString(), backoff);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                running = false;
            }
            return Math.min(backoff * 2, 5000);
        }

        @Override
        public void close() {
            running = false;
            heartbeat.interrupt();
            try {
                loop.join(Duration.ofMillis(BLOCK_MILLIS + 500));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handlers.shutdown();
            try {
                handlers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reader.close();
        }
    }
}

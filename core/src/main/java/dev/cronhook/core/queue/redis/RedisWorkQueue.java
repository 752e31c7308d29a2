package dev.cronhook.core.queue.redis;

import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.WorkQueue;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.UnblockType;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link WorkQueue} on a Redis stream with one consumer group: XREADGROUP to receive, XACK + XDEL after the
 * handler (batched: one pair of commands for all the messages finished meanwhile), XCLAIM heartbeats while a
 * message is in hand, XAUTOCLAIM to take over the messages of a dead consumer, and a dead-letter stream
 * ({@code <stream>:dead}) after too many deliveries.
 */
public final class RedisWorkQueue<T> implements WorkQueue<T> {
    private static final Logger log = LoggerFactory.getLogger(RedisWorkQueue.class);

    /** The field of a stream entry that holds the message's JSON: the wire format other writers must follow. */
    public static final String FIELD = "m";

    // a read blocks until a message comes, the next reclaim is due, or this long: an idle consumer asks Redis a few
    // times a minute, not every second (close() unblocks it)
    private static final long MAX_BLOCK_MILLIS = 10_000;
    // put on a worker's queue of finished ids to end its acknowledging loop (compared by identity)
    private static final String NO_MORE = new String("no more acknowledgements");
    private static final int MAX_ACKS_PER_ROUND = 1024;

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

    @Override
    public List<Optional<String>> enqueueAll(List<T> messages) {
        var redis = shared.async();
        var sent = new ArrayList<RedisFuture<String>>(messages.size());
        for (T message : messages) sent.add(redis.xadd(stream, Map.of(FIELD, json.writeValueAsString(message))));
        var ids = new ArrayList<Optional<String>>(messages.size());
        long deadline = System.nanoTime() + shared.getTimeout().toNanos();
        for (var future : sent) {
            try {
                ids.add(Optional.of(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)));
            } catch (ExecutionException | TimeoutException e) {
                log.warn("{}: could not append a message: {}", stream, e.toString());
                ids.add(Optional.empty());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ids.add(Optional.empty());
            }
        }
        return ids;
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
        return start(new StreamWorker(consumerName, handler, null, null));
    }

    @Override
    public Worker consumeBatches(String consumerName, BatchHandler<T> handler) {
        return start(new StreamWorker(consumerName, null, handler, null));
    }

    @Override
    public Worker consumeAsync(String consumerName, AsyncHandler<T> handler) {
        return start(new StreamWorker(consumerName, null, null, handler));
    }

    private Worker start(StreamWorker worker) {
        ensureGroup(shared.sync());
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

    final class StreamWorker implements Worker {
        private final String name;
        private final MessageHandler<T> handler;
        private final BatchHandler<T> batchHandler;
        private final AsyncHandler<T> asyncHandler;
        private final Semaphore permits;
        private final Set<String> inHand = ConcurrentHashMap.newKeySet();
        private final LinkedBlockingQueue<String> finished = new LinkedBlockingQueue<>();
        private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        private final StatefulRedisConnection<String, String> reader;
        // made anew after Redis restarts or drops it (its blocked read sent again), the reader's connection has
        // another id: read again by the read loop after that read
        private volatile long readerId;
        private volatile boolean readerIdStale;
        private final io.lettuce.core.RedisConnectionStateListener reconnects;
        private volatile boolean running = true;
        private Thread loop;
        private Thread heartbeat;
        private Thread acker;

        /** Exactly one of the handlers is given: one message per thread, batches, or asynchronous. */
        StreamWorker(
                String name, MessageHandler<T> handler, BatchHandler<T> batchHandler, AsyncHandler<T> asyncHandler) {
            this.name = name;
            this.handler = handler;
            this.batchHandler = batchHandler;
            this.asyncHandler = asyncHandler;
            this.permits = new Semaphore(options.concurrency());
            this.reader = client.connect(Utf8Codec.INSTANCE);
            // a blocked read is not a late answer: the reader waits its longest block on top of the usual timeout
            reader.setTimeout(reader.getTimeout().plusMillis(MAX_BLOCK_MILLIS));
            this.readerId = clientId(reader);
            this.reconnects = new io.lettuce.core.RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(
                        io.lettuce.core.RedisChannelHandler<?, ?> connection, java.net.SocketAddress address) {
                    if (connection == reader) readerIdStale = true;
                }
            };
            client.addListener(reconnects);
        }

        /** The reader's connection's id in Redis as the worker knows it (-1: the server does not say). */
        long readerId() {
            return readerId;
        }

        /**
         * After the reader's connection was made anew, its id as it is now, read before the loop's next blocking read:
         * with the old id close() unblocked no one and waited out the block, up to 10 s per consumer on every
         * shutdown after a Redis restart (still so for a close within one block of the reconnect).
         */
        private void refreshReaderIdIfStale() {
            if (!readerIdStale) return;
            readerIdStale = false;
            long id = clientId(reader);
            if (id >= 0) readerId = id;
            else if (!reader.isOpen()) readerIdStale = true; // not back yet: next time
        }

        /** The reader's id in Redis, for CLIENT UNBLOCK; -1 where the server does not say (close() then waits). */
        private static long clientId(StatefulRedisConnection<String, String> connection) {
            try {
                Long id = connection.sync().clientId();
                return id == null ? -1 : id;
            } catch (RuntimeException e) {
                log.debug("CLIENT ID refused ({}): a closing consumer waits out its blocked read", e.toString());
                return -1;
            }
        }

        void start() {
            // the two busy loops are platform threads: a batch handler's JDBC on a virtual thread would pass every
            // round trip through the JDK's poller, and each hand-off between them would wake a carrier as well
            loop = Thread.ofPlatform()
                    .daemon()
                    .name("queue-" + stream + "-" + name)
                    .start(this::readLoop);
            heartbeat = Thread.ofVirtual().name("queue-heartbeat-" + stream).start(this::heartbeatLoop);
            acker = Thread.ofPlatform().daemon().name("queue-ack-" + stream).start(this::ackLoop);
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
                    refreshReaderIdIfStale();
                    try {
                        // never past the next reclaim; at least 1 ms (BLOCK 0 would wait for ever)
                        long block = Math.clamp(
                                lastReclaim + reclaimEveryMillis() - System.currentTimeMillis(), 1, MAX_BLOCK_MILLIS);
                        messages = redis.xreadgroup(
                                consumer,
                                XReadArgs.Builder.block(block).count(free),
                                XReadArgs.StreamOffset.lastConsumed(stream));
                    } finally {
                        permits.release(free);
                    }
                    var deliveries = new ArrayList<Delivery<T>>(messages.size());
                    for (var m : messages) readable(m, 1).ifPresent(deliveries::add);
                    handOver(deliveries);
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
            var again = new ArrayList<Delivery<T>>();
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
                    readable(m, count).ifPresent(again::add);
                }
            }
            handOver(again);
        }

        /** The message as a delivery, or empty when it cannot be read (it is dead-lettered then). */
        private Optional<Delivery<T>> readable(StreamMessage<String, String> m, long deliveryCount) {
            try {
                return Optional.of(
                        new Delivery<>(m.getId(), json.readValue(m.getBody().get(FIELD), type), deliveryCount));
            } catch (RuntimeException e) {
                deadLetter(m, "unreadable message: " + e.getMessage());
                return Optional.empty();
            }
        }

        /** Hands deliveries to the handler: each on its own virtual thread, or all together to the batch handler. */
        private void handOver(List<Delivery<T>> deliveries) {
            if (deliveries.isEmpty()) return;
            if (batchHandler != null) {
                handleBatch(deliveries);
            } else if (asyncHandler != null) {
                for (var d : deliveries) start(d);
            } else {
                for (var d : deliveries) dispatch(d);
            }
        }

        private void dispatch(Delivery<T> delivery) {
            permits.acquireUninterruptibly();
            inHand.add(delivery.id());
            handlers.submit(() -> {
                boolean done = false;
                try {
                    handler.handle(delivery);
                    done = true;
                } catch (Exception e) {
                    log.warn("{}: message {} failed, it stays pending: {}", stream, delivery.id(), e.toString());
                } finally {
                    inHand.remove(delivery.id());
                    permits.release();
                }
                if (done) finished.add(delivery.id());
            });
        }

        /** Starts an async handler's work for one delivery; no thread waits for it. */
        private void start(Delivery<T> delivery) {
            permits.acquireUninterruptibly();
            inHand.add(delivery.id());
            java.util.concurrent.CompletionStage<Void> stage;
            try {
                stage = asyncHandler.handle(delivery);
            } catch (RuntimeException e) {
                stage = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((ok, e) -> {
                inHand.remove(delivery.id());
                permits.release();
                if (e == null) {
                    finished.add(delivery.id());
                } else {
                    log.warn("{}: message {} failed, it stays pending: {}", stream, delivery.id(), e.toString());
                }
            });
        }

        private void handleBatch(List<Delivery<T>> deliveries) {
            deliveries.forEach(d -> inHand.add(d.id()));
            try {
                batchHandler.handle(deliveries);
                deliveries.forEach(d -> finished.add(d.id()));
            } catch (Exception batchFailure) {
                log.debug(
                        "{}: a batch of {} failed, handling its messages one by one: {}",
                        stream,
                        deliveries.size(),
                        batchFailure.toString());
                for (var d : deliveries) {
                    try {
                        batchHandler.handle(List.of(d));
                        finished.add(d.id());
                    } catch (Exception e) {
                        log.warn("{}: message {} failed, it stays pending: {}", stream, d.id(), e.toString());
                    }
                }
            } finally {
                deliveries.forEach(d -> inHand.remove(d.id()));
            }
        }

        /**
         * Acknowledges finished messages: whatever finished while the previous round was on its way goes in the
         * next one, so under load one XACK and one XDEL serve many messages. A lost round only means redeliveries,
         * which the idempotent handlers absorb.
         */
        private void ackLoop() {
            var ids = new ArrayList<String>();
            boolean last = false;
            while (!last) {
                try {
                    ids.add(finished.take());
                    finished.drainTo(ids, MAX_ACKS_PER_ROUND - 1);
                    // identity: the marker, not an id that happens to read the same
                    last = ids.removeIf(id -> id == NO_MORE);
                    if (ids.isEmpty()) continue;
                    var batch = ids.toArray(String[]::new);
                    var redis = shared.async();
                    var acked = redis.xack(stream, group, batch);
                    var deleted = redis.xdel(stream, batch);
                    // no timeout of our own: the connection's command timeout ends a lost round
                    acked.get();
                    deleted.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException | RuntimeException e) {
                    log.debug("{}: acknowledging {} messages failed: {}", stream, ids.size(), e.toString());
                } finally {
                    ids.clear();
                }
            }
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
            stopReading();
            handlers.shutdown();
            try {
                handlers.awaitTermination(10, TimeUnit.SECONDS);
                // an async handler's open stages hold permits: wait for them as for the handler threads
                if (permits.tryAcquire(options.concurrency(), 10, TimeUnit.SECONDS)) {
                    permits.release(options.concurrency());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // the acknowledgements of what finished go out before the loop ends
            finished.add(NO_MORE);
            join(acker, Duration.ofSeconds(5));
            client.removeListener(reconnects);
            reader.close();
        }

        /**
         * Ends the read loop: its blocked read is unblocked (again until the loop has seen that it should stop: a read
         * sent just after the first unblock blocks anew), else waited out.
         */
        private void stopReading() {
            long deadline = System.nanoTime()
                    + Duration.ofMillis(MAX_BLOCK_MILLIS + 500).toNanos();
            while (loop.isAlive() && System.nanoTime() < deadline) {
                if (readerId >= 0) {
                    try {
                        shared.sync().clientUnblock(readerId, UnblockType.TIMEOUT);
                    } catch (RuntimeException e) {
                        log.debug("{}: CLIENT UNBLOCK failed: {}", stream, e.toString());
                    }
                }
                join(loop, Duration.ofMillis(100));
            }
        }

        private static void join(Thread thread, Duration limit) {
            try {
                thread.join(limit);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

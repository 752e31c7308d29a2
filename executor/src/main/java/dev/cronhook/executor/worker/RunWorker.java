package dev.cronhook.executor.worker;

import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.Streams;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.Outcome;
import dev.cronhook.executor.runtime.ScriptRuntime;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes run requests (group {@code executors}), runs each through the {@link ScriptRuntime}, reports RUNNING
 * and then the final result on {@link Streams#RUN_RESULTS}, ships log lines to the run's live log stream, and
 * acknowledges only after the final result is enqueued. Finishing is idempotent by run id: the final result is
 * stored under a per-run key (SET NX) before it is published, so a redelivered run is published, not run, again.
 * Cancellations arrive on {@link Streams#CANCEL_CHANNEL}.
 */
public final class RunWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunWorker.class);
    public static final String GROUP = "executors";

    /** How the worker consumes and how long its per-run keys live. */
    public record Settings(
            String consumerName, int concurrency, Duration visibilityTimeout, int maxDeliveries, Duration keyTtl) {
        public static Settings named(String consumerName) {
            return new Settings(consumerName, 16, Duration.ofSeconds(30), 3, Duration.ofDays(1));
        }

        public Settings withVisibilityTimeout(Duration timeout) {
            return new Settings(consumerName, concurrency, timeout, maxDeliveries, keyTtl);
        }

        public Settings withConcurrency(int n) {
            return new Settings(consumerName, n, visibilityTimeout, maxDeliveries, keyTtl);
        }

        public Settings withMaxDeliveries(int n) {
            return new Settings(consumerName, concurrency, visibilityTimeout, n, keyTtl);
        }
    }

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> redis;
    private final ScriptRuntime runtime;
    private final Settings settings;
    private final RedisWorkQueue<RunResult> results;
    private final Map<UUID, Cancellation> active = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private WorkQueue.Worker consumer;
    private StatefulRedisPubSubConnection<String, String> cancels;

    public RunWorker(
            RedisClient client,
            StatefulRedisConnection<String, String> redis,
            ScriptRuntime runtime,
            Settings settings) {
        this.client = client;
        this.redis = redis;
        this.runtime = runtime;
        this.settings = settings;
        this.results = new RedisWorkQueue<>(
                client, redis, Streams.RUN_RESULTS, "api", RunResult.class, Wire.json(), QueueOptions.defaults());
    }

    /** The key under which a run's final result is kept once it is decided. */
    public static String finishedKey(UUID runId) {
        return "cronhook:run-finished:" + runId;
    }

    static String publishedKey(UUID runId) {
        return "cronhook:run-published:" + runId;
    }

    public synchronized void start() {
        if (consumer != null) return;
        cancels = client.connectPubSub();
        cancels.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                cancel(message);
            }
        });
        cancels.sync().subscribe(Streams.CANCEL_CHANNEL);
        var options = QueueOptions.<RunRequest>defaults()
                .withConcurrency(settings.concurrency())
                .withVisibilityTimeout(settings.visibilityTimeout())
                .withMaxDeliveries(settings.maxDeliveries())
                .withDeadLetterHandler(this::abandon);
        var runs = new RedisWorkQueue<>(client, redis, Streams.RUNS, GROUP, RunRequest.class, Wire.json(), options);
        consumer = runs.consume(settings.consumerName(), this::handle);
        log.info(
                "executor {} consuming {} (concurrency {})",
                settings.consumerName(),
                Streams.RUNS,
                settings.concurrency());
    }

    private void cancel(String message) {
        try {
            var token = active.get(UUID.fromString(message.trim()));
            if (token != null) token.cancel();
        } catch (IllegalArgumentException e) {
            log.debug("ignoring cancel message {}", message);
        }
    }

    void handle(WorkQueue.Delivery<RunRequest> delivery) {
        var request = delivery.message();
        UUID runId = request.runId();
        if (republishIfFinished(runId)) return;
        var token = new Cancellation();
        active.put(runId, token);
        try {
            // registered before the check, so a cancel published after it still reaches the token
            if (redis.sync().exists(Streams.cancelledKey(runId)) > 0) {
                finish(
                        new RunResult(
                                runId,
                                RunStatus.CANCELLED,
                                null,
                                null,
                                "cancelled before it started",
                                null,
                                Instant.now()),
                        null);
                return;
            }
            Instant started = Instant.now();
            results.enqueue(new RunResult(runId, RunStatus.RUNNING, null, null, null, started, null));
            var logs = new RedisRunLog(redis, runId, settings.keyTtl());
            Outcome outcome = runtime.run(Invocation.of(request, Map.of(), token), logs);
            if (stopping && outcome.status() == RunStatus.CANCELLED && !cancelRequested(runId)) {
                // killed because this executor is stopping, not by a user: hand the run back
                throw new RunHandedBackException(runId);
            }
            finish(
                    new RunResult(
                            runId,
                            outcome.status(),
                            outcome.resultJson(),
                            outcome.reply(),
                            outcome.error(),
                            started,
                            Instant.now()),
                    logs);
        } finally {
            active.remove(runId);
        }
    }

    private boolean cancelRequested(UUID runId) {
        return redis.sync().exists(Streams.cancelledKey(runId)) > 0;
    }

    /** A redelivered run already decided: publish its stored result if that never happened, and do not run it. */
    private boolean republishIfFinished(UUID runId) {
        String stored = redis.sync().get(finishedKey(runId));
        if (stored == null) return false;
        if (redis.sync().exists(publishedKey(runId)) == 0) {
            results.enqueue(Wire.json().readValue(stored, RunResult.class));
            redis.sync().set(publishedKey(runId), "1", SetArgs.Builder.ex(settings.keyTtl()));
        }
        log.info("run {} was already finished; not running it again", runId);
        return true;
    }

    private void finish(RunResult result, RedisRunLog logs) {
        String json = Wire.json().writeValueAsString(result);
        var sync = redis.sync();
        String won =
                sync.set(finishedKey(result.runId()), json, SetArgs.Builder.nx().ex(settings.keyTtl()));
        if (!"OK".equals(won)) {
            log.info("run {} was finished by another executor; dropping this result", result.runId());
            return;
        }
        results.enqueue(result);
        sync.set(publishedKey(result.runId()), "1", SetArgs.Builder.ex(settings.keyTtl()));
        if (logs == null) logs = new RedisRunLog(redis, result.runId(), settings.keyTtl());
        logs.end(result.status());
    }

    /** A request that kept killing its executors: its run fails with the reason. */
    private void abandon(RunRequest request, String reason) {
        finish(
                new RunResult(
                        request.runId(),
                        RunStatus.FAILED,
                        null,
                        null,
                        "the run was abandoned: " + reason,
                        null,
                        Instant.now()),
                null);
    }

    /** Runs in hand right now. */
    public int inFlight() {
        return active.size();
    }

    /**
     * Stops taking runs, waits (bounded) for the ones in hand, then kills the rest and leaves them pending for
     * another executor.
     */
    @Override
    public synchronized void close() {
        if (consumer == null) return;
        var c = consumer;
        consumer = null;
        c.close();
        stopping = true;
        active.values().forEach(Cancellation::cancel);
        if (cancels != null) cancels.close();
    }

    /** Thrown to leave a run pending when this executor stops in the middle of it. */
    static final class RunHandedBackException extends RuntimeException {
        RunHandedBackException(UUID runId) {
            super("run " + runId + " handed back: the executor is stopping");
        }
    }
}

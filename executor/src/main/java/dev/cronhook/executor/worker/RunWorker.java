package dev.cronhook.executor.worker;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.Streams;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.run.HttpReply;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.secret.SecretsUnavailableException;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.logs.LogShipper;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogSink;
import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.runtime.Outcome;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.secrets.RunSecretsResolver;
import dev.cronhook.executor.secrets.SecretMask;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes run requests (group {@code executors}), runs each through the {@link ScriptRuntime}, reports RUNNING
 * and then the final result on {@link Streams#RUN_RESULTS} (in the message format of {@code RedisWorkQueue}, so
 * the api consumes them with a {@code RedisWorkQueue<RunResult>}), ships log lines to the run's live log stream,
 * and acknowledges only after the final result is enqueued. Finishing is idempotent by run id: one Lua script
 * sets the run's finished key (NX) and enqueues the result together, so a redelivered run is neither run nor
 * published again.
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
    private final RunSecretsResolver secrets;
    private final LogShipper shipper;
    private final Map<UUID, Cancellation> active = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private WorkQueue.Worker consumer;
    private StatefulRedisPubSubConnection<String, String> cancels;

    public RunWorker(
            RedisClient client,
            StatefulRedisConnection<String, String> redis,
            ScriptRuntime runtime,
            Settings settings) {
        this(client, redis, runtime, settings, null, null);
    }

    /**
     * With {@code secrets} (null: runs get no secrets) and {@code shipper}, which also ships every log line to
     * the log store (null: the live Redis stream is the only copy, and the api archives it).
     */
    public RunWorker(
            RedisClient client,
            StatefulRedisConnection<String, String> redis,
            ScriptRuntime runtime,
            Settings settings,
            RunSecretsResolver secrets,
            LogShipper shipper) {
        this.client = client;
        this.redis = redis;
        this.runtime = runtime;
        this.settings = settings;
        this.secrets = secrets;
        this.shipper = shipper;
    }

    /** The key under which a run's final result is kept once it is decided. */
    public static String finishedKey(UUID runId) {
        return "cronhook:run-finished:" + runId;
    }

    /** The field a {@code RedisWorkQueue} message carries its JSON in (its wire format). */
    private static final String FIELD = "m";

    private static final String FINISH = """
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
              redis.call('XADD', KEYS[2], '*', 'm', ARGV[1])
              redis.call('XADD', KEYS[3], '*', 't', ARGV[4], 'end', ARGV[3])
              redis.call('EXPIRE', KEYS[3], ARGV[2])
              return 1
            end
            return 0
            """;
    private static final String FINISH_SHA = sha1(FINISH);

    /** Skips a finished or cancelled run, else publishes RUNNING; one round trip. */
    private static final String BEGIN = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return {ok='finished'} end
            if redis.call('EXISTS', KEYS[2]) == 1 then return {ok='cancelled'} end
            redis.call('XADD', KEYS[3], '*', 'm', ARGV[1])
            return {ok='started'}
            """;

    private static final String BEGIN_SHA = sha1(BEGIN);

    private <R> R script(String script, String sha, ScriptOutputType type, String[] keys, String... args) {
        var async = redis.async();
        try {
            try {
                return async.<R>evalsha(sha, type, keys, args).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RedisNoScriptException)) throw e;
                return async.<R>eval(script, type, keys, args).get(10, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Redis did not answer in 10 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String sha1(String text) {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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

    void handle(WorkQueue.Delivery<RunRequest> delivery) throws Exception {
        var request = delivery.message();
        UUID runId = request.runId();
        var token = new Cancellation();
        active.put(runId, token);
        try {
            // registered before the check, so a cancel published after the check still reaches the token
            Instant started = Instant.now();
            String begun = script(
                    BEGIN,
                    BEGIN_SHA,
                    ScriptOutputType.STATUS,
                    new String[] {finishedKey(runId), Streams.cancelledKey(runId), Streams.RUN_RESULTS},
                    json(new RunResult(runId, RunStatus.RUNNING, null, null, null, started, null)));
            if ("finished".equals(begun)) {
                log.info("run {} was already finished; not running it again", runId);
                return;
            }
            if ("cancelled".equals(begun)) {
                finish(new RunResult(
                        runId, RunStatus.CANCELLED, null, null, "cancelled before it started", null, Instant.now()));
                return;
            }
            Map<String, String> env;
            try {
                env = secrets == null ? Map.of() : secrets.resolve(request);
            } catch (SecretsUnavailableException e) {
                finish(new RunResult(runId, RunStatus.FAILED, null, null, e.getMessage(), started, Instant.now()));
                return;
            }
            var mask = SecretMask.of(env.values());
            var logs = new RedisRunLog(redis, runId, settings.keyTtl());
            String logId = "run/" + runId;
            LogSink sink = (time, stream, line) -> {
                String masked = mask.apply(line);
                logs.line(time, stream, masked);
                if (shipper != null) shipper.offer(logId, new LogLine(time, stream.wireName(), masked));
            };
            Outcome outcome = runtime.run(Invocation.of(request, env, token), sink);
            if (stopping && outcome.status() == RunStatus.CANCELLED && !cancelRequested(runId)) {
                // killed because this executor is stopping, not by a user: hand the run back
                throw new RunHandedBackException(runId);
            }
            if (shipper != null) {
                shipper.flush(logId, Duration.ofSeconds(5));
                long lost = shipper.lost(logId);
                shipper.forget(logId);
                if (lost > 0) {
                    logs.line(
                            Instant.now(),
                            LogStream.STDERR,
                            "[cronhook] " + lost + " log lines of this run could not be stored: the log store was"
                                    + " unavailable (the live log above has them)");
                }
            }
            logs.flush();
            finish(new RunResult(
                    runId,
                    outcome.status(),
                    mask.apply(outcome.resultJson()),
                    masked(outcome.reply(), mask),
                    mask.apply(outcome.error()),
                    started,
                    Instant.now()));
        } finally {
            active.remove(runId);
        }
    }

    private static HttpReply masked(HttpReply reply, SecretMask mask) {
        if (reply == null || mask.isEmpty()) return reply;
        var headers = new java.util.LinkedHashMap<String, List<String>>();
        reply.headers()
                .forEach((name, values) ->
                        headers.put(name, values.stream().map(mask::apply).toList()));
        return new HttpReply(
                reply.status(), headers, reply.base64() ? reply.body() : mask.apply(reply.body()), reply.base64());
    }

    private boolean cancelRequested(UUID runId) {
        return redis.sync().exists(Streams.cancelledKey(runId)) > 0;
    }

    /**
     * Publishes the final result at most once per run, atomically with marking the run finished: either both
     * the finished key and the result on {@link Streams#RUN_RESULTS} (and the log's end entry) exist, or neither.
     */
    private void finish(RunResult result) {
        long ttl = settings.keyTtl().toSeconds();
        String[] keys = {finishedKey(result.runId()), Streams.RUN_RESULTS, Streams.runLog(result.runId())};
        String[] args = {
            json(result), String.valueOf(ttl), result.status().name(), String.valueOf(System.currentTimeMillis())
        };
        Long published = script(FINISH, FINISH_SHA, ScriptOutputType.INTEGER, keys, args);
        if (published == null || published == 0) {
            log.info("run {} was finished by another executor; dropping this result", result.runId());
        }
    }

    private static String json(RunResult result) {
        return Wire.json().writeValueAsString(result);
    }

    /** A request that kept killing its executors: its run fails with the reason. */
    private void abandon(RunRequest request, String reason) {
        finish(new RunResult(
                request.runId(),
                RunStatus.FAILED,
                null,
                null,
                "the run was abandoned: " + reason,
                null,
                Instant.now()));
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

package dev.cronhook.executor.worker.redis;

import dev.cronhook.core.queue.redis.RedisScript;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunLedger;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * What executors agree on in Redis about runs, each step one atomic script: whether a run may start (not when it
 * has finished already or was cancelled, and only within its script's concurrency limit), and its end (the result
 * published exactly once, with the end mark of its live log if it logged anything, and an announcement that wakes
 * a waiting webhook caller). A script with a limit holds a sorted set of slots, one per running run with its
 * lease's expiry; a run that finds no free slot waits in the script's list, in order, and is put back on the run
 * stream (its slot reserved) when a run of the script ends or a lease expires. Thread-safe.
 */
public final class RedisRunLedger implements RunLedger {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RedisRunLedger.class);

    public static final String WAITING_SCRIPTS = Streams.WAITING_SCRIPTS;

    /** Results larger than this are announced by run id only: every api replica hears every announcement. */
    static final int MAX_ANNOUNCED_BYTES = 64 * 1024;

    private static final String SLOTS = "cronhook:slots:";
    private static final String WAITING = Streams.WAITING_PREFIX;

    public static String slotsKey(UUID scriptId) {
        return SLOTS + scriptId;
    }

    public static String waitingKey(UUID scriptId) {
        return Streams.waitingKey(scriptId);
    }

    /**
     * Frees expired slots of a script and moves as many waiting runs as there are free slots back to the run
     * stream, each with its slot reserved under its run id. KEYS: slots, waiting, waiting scripts, run stream;
     * ARGV: script id, limit, now (ms), lease (ms).
     */
    private static final String RELEASE = """
            local function release(slots, waiting, scripts, runs, scriptId, limit, now, lease)
              redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
              local free = limit - redis.call('ZCARD', slots)
              while free > 0 do
                local entry = redis.call('LPOP', waiting)
                if not entry then break end
                local sep = string.find(entry, ' ', 1, true)
                redis.call('ZADD', slots, now + lease, string.sub(entry, 1, sep - 1))
                redis.call('XADD', runs, '*', '{FIELD}', string.sub(entry, sep + 1))
                free = free - 1
              end
              if redis.call('LLEN', waiting) == 0 then redis.call('HDEL', scripts, scriptId) end
              if redis.call('ZCARD', slots) > 0 then redis.call('PEXPIRE', slots, lease * 2) end
            end
            """.replace("{FIELD}", RedisWorkQueue.FIELD);

    /**
     * KEYS: finished mark, cancelled mark, slots, waiting, waiting scripts, run stream; ARGV: run id, limit, now,
     * lease, the request as a waiting entry, script id, consumer group, message id.
     */
    private static final String BEGIN = RELEASE + """
            local limit = tonumber(ARGV[2])
            local now = tonumber(ARGV[3])
            local lease = tonumber(ARGV[4])
            local ended = nil
            if redis.call('EXISTS', KEYS[1]) == 1 then ended = 'finished'
            elseif redis.call('EXISTS', KEYS[2]) == 1 then ended = 'cancelled' end
            if ended then
              if limit > 0 then
                redis.call('ZREM', KEYS[3], ARGV[1])
                release(KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[6], limit, now, lease)
              end
              return {ok=ended}
            end
            if limit > 0 then
              if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then
                -- the runs already waiting go first
                release(KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[6], limit, now, lease)
                if redis.call('ZCARD', KEYS[3]) >= limit or redis.call('LLEN', KEYS[4]) > 0 then
                  redis.call('RPUSH', KEYS[4], ARGV[5])
                  redis.call('HSET', KEYS[5], ARGV[6], ARGV[2] .. ' ' .. ARGV[4])
                  redis.call('XACK', KEYS[6], ARGV[7], ARGV[8])
                  redis.call('XDEL', KEYS[6], ARGV[8])
                  return {ok='waiting'}
                end
              end
              -- a new slot, the one reserved for it, or its own again when it is delivered twice
              redis.call('ZADD', KEYS[3], now + lease, ARGV[1])
              redis.call('PEXPIRE', KEYS[3], lease * 2)
            end
            return {ok='started'}
            """;

    /**
     * KEYS: finished mark, result stream, run log, slots, waiting, waiting scripts, run stream, direct hold (its
     * trace while an executor that took it directly holds it: the finished mark traces it now); ARGV: result JSON,
     * key TTL (s), final status, time (ms), run id, script id, limit, lease, the channel that announces ends. The
     * announcement carries the result itself unless it is large (then the run id: read the finished mark). The run
     * log gets its end entry only if it exists: the run's lines are in it before this runs, and a run that printed
     * nothing (most) gets no stream at all (one would cost Redis a 4.8 KB stream node and ~80 µs); followers of such
     * a run learn its end from its status.
     */
    private static final String FINISH = RELEASE
            + """
            local published = 0
            redis.call('DEL', KEYS[8])
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
              redis.call('XADD', KEYS[2], '*', '{FIELD}', ARGV[1])
              if redis.call('EXISTS', KEYS[3]) == 1 then
                redis.call('XADD', KEYS[3], '*', 't', ARGV[4], 'end', ARGV[3])
                redis.call('EXPIRE', KEYS[3], ARGV[2])
              end
              if #ARGV[1] <= {MAX_ANNOUNCED} then
                redis.call('PUBLISH', ARGV[9], ARGV[1])
              else
                redis.call('PUBLISH', ARGV[9], ARGV[5])
              end
              published = 1
            end
            local limit = tonumber(ARGV[7])
            if limit > 0 then
              redis.call('ZREM', KEYS[4], ARGV[5])
              release(KEYS[4], KEYS[5], KEYS[6], KEYS[7], ARGV[6], limit, tonumber(ARGV[4]), tonumber(ARGV[8]))
            end
            return published
            """.replace("{FIELD}", RedisWorkQueue.FIELD)
                    .replace("{MAX_ANNOUNCED}", String.valueOf(MAX_ANNOUNCED_BYTES));

    /**
     * Releases the waiting runs of every script with waiting runs whose slots have freed (an executor that died
     * holding one lets it expire). KEYS: waiting scripts, run stream; ARGV: now.
     */
    private static final String SWEEP = RELEASE + """
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              local sep = string.find(all[i + 1], ' ', 1, true)
              local limit = tonumber(string.sub(all[i + 1], 1, sep - 1))
              local lease = tonumber(string.sub(all[i + 1], sep + 1))
              release('{SLOTS}' .. all[i], '{WAITING}' .. all[i], KEYS[1], KEYS[2], all[i], limit,
                tonumber(ARGV[1]), lease)
            end
            return #all / 2
            """.replace("{SLOTS}", SLOTS).replace("{WAITING}", WAITING);

    private static final RedisScript BEGIN_SCRIPT = RedisScript.of(BEGIN, ScriptOutputType.STATUS);
    private static final RedisScript FINISH_SCRIPT = RedisScript.of(FINISH, ScriptOutputType.INTEGER);
    private static final RedisScript SWEEP_SCRIPT = RedisScript.of(SWEEP, ScriptOutputType.INTEGER);

    private final StatefulRedisConnection<String, String> redis;
    private final String group;
    private final Duration keyTtl;
    private final Duration leaseSlack;

    /** {@code leaseSlack}: how long past its timeout a run's slot is held before it counts as abandoned. */
    public RedisRunLedger(
            StatefulRedisConnection<String, String> redis, String group, Duration keyTtl, Duration leaseSlack) {
        this.redis = redis;
        this.group = group;
        this.keyTtl = keyTtl;
        this.leaseSlack = leaseSlack;
    }

    /** Decides whether the delivered run may start; a WAITING run's message is acknowledged here. */
    @Override
    public CompletableFuture<Begin> begin(RunRequest request, String messageId) {
        UUID runId = request.runId();
        CompletableFuture<String> begun = BEGIN_SCRIPT.callAsync(
                redis,
                new String[] {
                    Streams.finishedKey(runId),
                    Streams.cancelledKey(runId),
                    slotsKey(request.scriptId()),
                    waitingKey(request.scriptId()),
                    WAITING_SCRIPTS,
                    Streams.RUNS
                },
                runId.toString(),
                String.valueOf(Math.max(0, request.maxConcurrency())),
                String.valueOf(System.currentTimeMillis()),
                String.valueOf(lease(request).toMillis()),
                request.maxConcurrency() > 0 ? runId + " " + Wire.json().writeValueAsString(request) : "",
                request.scriptId().toString(),
                group,
                messageId);
        return begun.thenApply(answer -> Begin.valueOf(answer.toUpperCase(java.util.Locale.ROOT)));
    }

    /**
     * Publishes the final result at most once per run, atomically with marking the run finished (and giving back
     * its slot): either the finished mark, the result on the result stream and the log's end mark all exist, or
     * none. Returns whether this call published it.
     */
    @Override
    public CompletableFuture<Boolean> finish(RunRequest request, RunResult result) {
        CompletableFuture<Long> published = FINISH_SCRIPT.callAsync(
                redis,
                new String[] {
                    Streams.finishedKey(result.runId()),
                    Streams.RUN_RESULTS,
                    Streams.runLog(result.runId()),
                    slotsKey(request.scriptId()),
                    waitingKey(request.scriptId()),
                    WAITING_SCRIPTS,
                    Streams.RUNS,
                    Streams.directKey(result.runId())
                },
                Wire.json().writeValueAsString(result),
                String.valueOf(keyTtl.toSeconds()),
                result.status().name(),
                String.valueOf(System.currentTimeMillis()),
                result.runId().toString(),
                request.scriptId().toString(),
                String.valueOf(Math.max(0, request.maxConcurrency())),
                String.valueOf(lease(request).toMillis()),
                Streams.RUN_FINISHED_CHANNEL);
        return published.thenApply(n -> n != null && n == 1);
    }

    /** RUNNING on the results stream, in {@link RedisWorkQueue}'s message format (the api consumes it as a queue). */
    @Override
    public void running(UUID runId, Instant started) {
        redis.async()
                .xadd(
                        Streams.RUN_RESULTS,
                        Map.of(
                                RedisWorkQueue.FIELD,
                                Wire.json()
                                        .writeValueAsString(new RunResult(
                                                runId, RunStatus.RUNNING, null, null, null, started, null))))
                .whenComplete((id, e) -> {
                    if (e != null) log.debug("run {}: RUNNING not reported: {}", runId, e.toString());
                });
    }

    /** Lets waiting runs go where slots have expired; returns how many scripts have runs waiting. */
    @Override
    public long sweep() {
        Long scripts = SWEEP_SCRIPT.call(
                redis, new String[] {WAITING_SCRIPTS, Streams.RUNS}, String.valueOf(System.currentTimeMillis()));
        return scripts == null ? 0 : scripts;
    }

    /** A slot is held for the run's timeout and some slack, so one whose executor died frees by itself. */
    private Duration lease(RunRequest request) {
        return Duration.ofSeconds(Math.max(1, request.timeoutSeconds())).plus(leaseSlack);
    }
}

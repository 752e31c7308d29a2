package dev.cronhook.executor.worker.redis;

import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.run.FinishedRuns;
import dev.cronhook.core.run.FinishedRunsContract;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.run.redis.RedisFinishedRuns;
import dev.cronhook.executor.runtime.LogStream;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The api's board of published ends on the real Redis (logical database 13), with the ends published by the
 * executors' Redis ledger and the lines by their live logs: the two sides agree on the wire.
 */
class RedisFinishedRunsIT extends FinishedRunsContract {
    static final String REDIS = System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL_13", "redis://127.0.0.1:6379/13");

    RedisClient client;
    StatefulRedisConnection<String, String> redis;
    RedisFinishedRuns board;
    RedisRunLedger ledger;
    RedisLiveLogs logs;

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS);
        redis = client.connect();
        redis.sync().flushdb();
        board = new RedisFinishedRuns(client, redis, Duration.ofMinutes(5), Duration.ofMinutes(1));
        board.start();
        ledger = new RedisRunLedger(redis, QueueSpec.RUNS.group(), Duration.ofMinutes(10), Duration.ofSeconds(1));
        logs = new RedisLiveLogs(redis, Duration.ofMinutes(10));
    }

    @AfterEach
    void close() {
        board.close();
        redis.close();
        client.shutdown();
    }

    @Override
    protected FinishedRuns board() {
        return board;
    }

    @Override
    protected void publish(RunResult end) {
        var request = new RunRequest(
                end.runId(), UUID.randomUUID(), 1, "image", TriggerKind.WEBHOOK, "{}", 1, 128, 1, Instant.now());
        ledger.finish(request, end).join();
    }

    @Override
    protected void logALine(UUID runId) {
        var writer = logs.open(runId);
        writer.line(Instant.now(), LogStream.STDOUT, "a line");
        writer.flush();
    }
}

package dev.cronhook.executor.worker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.redis.RedisQueues;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunBacklog;
import dev.cronhook.core.run.RunBacklogContract;
import dev.cronhook.core.run.RunLedger;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.redis.RedisRunBacklog;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis backlog passes the backlog's contract on the real Redis (logical database 13, emptied before each test),
 * with the executors' Redis ledger (which lives here, in the executor) keeping the waiting lists it looks through.
 */
class RedisRunBacklogIT extends RunBacklogContract {
    RedisClient client;
    StatefulRedisConnection<String, String> redis;
    WorkQueue<RunRequest> runs;
    RedisRunLedger ledger;
    RedisRunBacklog backlog;

    @BeforeEach
    void connect() {
        client = RedisClient.create(RedisRunLedgerIT.REDIS);
        redis = client.connect();
        redis.sync().flushdb();
        runs = new RedisQueues(client, redis).open(QueueSpec.RUNS);
        ledger = new RedisRunLedger(redis, QueueSpec.RUNS.group(), Duration.ofMinutes(5), Duration.ofMillis(200));
        backlog = new RedisRunBacklog(redis);
    }

    @AfterEach
    void close() {
        redis.close();
        client.shutdown();
    }

    @Override
    protected RunBacklog backlog() {
        return backlog;
    }

    @Override
    protected WorkQueue<RunRequest> runQueue() {
        return runs;
    }

    @Override
    protected RunLedger ledger() {
        return ledger;
    }

    @Test
    void publishingAHeldRunsEndRemovesItsHold() {
        var held = run("{}", 0);
        backlog.hold(Map.of(held.runId(), Duration.ofMinutes(10))).join();
        assertThat(redis.sync().pttl(Streams.directKey(held.runId())))
                .isBetween(1L, Duration.ofMinutes(10).toMillis());

        ledger.finish(
                        held,
                        new RunResult(held.runId(), RunStatus.SUCCEEDED, "1", null, null, Instant.now(), Instant.now()))
                .join();

        // the finished mark traces it from here on; a hold kept to its lease would cost Redis a key per call
        assertThat(redis.sync().exists(Streams.directKey(held.runId()))).isZero();
    }

    @Override
    protected long queued() {
        return redis.sync().xlen(Streams.RUNS);
    }
}

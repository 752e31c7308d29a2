package dev.cronhook.executor.worker.redis;

import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunLedger;
import dev.cronhook.core.run.RunLedgerContract;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunSignals;
import dev.cronhook.core.run.redis.RedisRunSignals;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The Redis ledger passes the ledger's contract on the real Redis (logical database 13, emptied before each test):
 * what it queues again is read off the run stream, what it publishes off the result stream.
 */
class RedisRunLedgerIT extends RunLedgerContract {
    static final String REDIS = System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL_13", "redis://127.0.0.1:6379/13");

    RedisClient client;
    StatefulRedisConnection<String, String> redis;
    RedisRunLedger ledger;
    RedisRunSignals signals;

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS);
        redis = client.connect();
        redis.sync().flushdb();
        ledger = new RedisRunLedger(redis, QueueSpec.RUNS.group(), Duration.ofMinutes(5), LEASE_SLACK);
        signals = new RedisRunSignals(client, redis);
    }

    @AfterEach
    void close() {
        redis.close();
        client.shutdown();
    }

    @Override
    protected RunLedger ledger() {
        return ledger;
    }

    @Override
    protected RunSignals signals() {
        return signals;
    }

    @Override
    protected List<UUID> requeued() {
        return redis.sync().xrange(Streams.RUNS, Range.create("-", "+")).stream()
                .map(m -> Wire.json().readValue(m.getBody().get(RedisWorkQueue.FIELD), RunRequest.class))
                .map(RunRequest::runId)
                .toList();
    }

    @Override
    protected List<RunResult> published() {
        return redis.sync().xrange(Streams.RUN_RESULTS, Range.create("-", "+")).stream()
                .map(m -> Wire.json().readValue(m.getBody().get(RedisWorkQueue.FIELD), RunResult.class))
                .toList();
    }
}

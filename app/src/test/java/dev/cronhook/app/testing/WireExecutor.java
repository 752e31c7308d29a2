package dev.cronhook.app.testing;

import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Answers run requests over the real Redis streams as an executor would, with results a test chooses. It tests
 * what sits in front of the executor (ingress, recording, replies) without running scripts; end-to-end tests use
 * the real executor.
 */
public final class WireExecutor implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final WorkQueue.Worker worker;
    public final List<RunRequest> received = new CopyOnWriteArrayList<>();

    public WireExecutor(String redisUrl, Function<RunRequest, RunResult> answer) {
        client = RedisClient.create(redisUrl);
        connection = client.connect();
        var runs = new RedisWorkQueue<>(
                client, connection, Streams.RUNS, "executors", RunRequest.class, Wire.json(), QueueOptions.defaults());
        var results = new RedisWorkQueue<>(
                client,
                connection,
                Streams.RUN_RESULTS,
                "api",
                RunResult.class,
                Wire.json(),
                QueueOptions.<RunResult>defaults());
        worker = runs.consume("wire-executor", d -> {
            received.add(d.message());
            var result = answer.apply(d.message());
            if (result != null) {
                // as the executor does: the run's finished record holds the result exactly as published, the result
                // goes to the api's recorder, and the end is announced to whoever waits for it
                String published = Wire.json().writeValueAsString(result);
                connection.sync().set(Streams.finishedKey(result.runId()), published);
                results.enqueue(result);
                connection.sync().publish(Streams.RUN_FINISHED_CHANNEL, published);
            }
        });
    }

    public static RunResult succeeded(RunRequest r, String resultJson) {
        var now = Instant.now();
        return new RunResult(r.runId(), RunStatus.SUCCEEDED, resultJson, null, null, now, now);
    }

    @Override
    public void close() {
        worker.close();
        connection.close();
        client.shutdown();
    }
}

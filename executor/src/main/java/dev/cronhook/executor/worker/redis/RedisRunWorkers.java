package dev.cronhook.executor.worker.redis;

import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.redis.RedisQueues;
import dev.cronhook.core.run.redis.RedisRunSignals;
import dev.cronhook.executor.logs.LogShipper;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.secrets.RunSecretsResolver;
import dev.cronhook.executor.worker.RunWorker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/** A {@link RunWorker} on Redis: its queue, ledger, cancel signals and live logs. */
public final class RedisRunWorkers {
    private RedisRunWorkers() {}

    /** See {@link RunWorker#RunWorker}; {@code secrets} and {@code shipper} may be null. */
    public static RunWorker create(
            RedisClient client,
            StatefulRedisConnection<String, String> redis,
            ScriptRuntime runtime,
            RunWorker.Settings settings,
            RunSecretsResolver secrets,
            LogShipper shipper) {
        return new RunWorker(
                new RedisQueues(client, redis),
                // a slot outlives its run's timeout by this much before another run may take it
                new RedisRunLedger(
                        redis,
                        QueueSpec.RUNS.group(),
                        settings.keyTtl(),
                        settings.visibilityTimeout().multipliedBy(2)),
                new RedisRunSignals(client, redis),
                new RedisLiveLogs(redis, settings.keyTtl()),
                runtime,
                settings,
                secrets,
                shipper);
    }

    /** A worker whose runs get no secrets and whose lines only go to the live log. */
    public static RunWorker create(
            RedisClient client,
            StatefulRedisConnection<String, String> redis,
            ScriptRuntime runtime,
            RunWorker.Settings settings) {
        return create(client, redis, runtime, settings, null, null);
    }
}

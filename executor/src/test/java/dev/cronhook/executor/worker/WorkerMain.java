package dev.cronhook.executor.worker;

import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import io.lettuce.core.RedisClient;
import java.time.Duration;

/** A run worker alone in its own JVM, for tests that kill an executor: args redisUrl consumerName visibilityMillis. */
public final class WorkerMain {
    private WorkerMain() {}

    public static void main(String[] args) throws InterruptedException {
        var client = RedisClient.create(args[0]);
        var connection = client.connect();
        var runtime = new DockerScriptRuntime(
                DockerScriptRuntime.client("unix:///var/run/docker.sock"),
                "none",
                args[1],
                RuntimeLimits.defaults(),
                HarnessScriptRuntime.WarmSettings.defaults());
        var worker = dev.cronhook.executor.worker.redis.RedisRunWorkers.create(
                client,
                connection,
                runtime,
                RunWorker.Settings.named(args[1]).withVisibilityTimeout(Duration.ofMillis(Long.parseLong(args[2]))));
        worker.start();
        System.out.println("worker started");
        Thread.currentThread().join();
    }
}

package dev.cronhook.tryout.config;

import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.npm.DependencyInstaller;
import dev.cronhook.builder.npm.NpmDependencyInstaller;
import dev.cronhook.builder.npm.NpmSettings;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.Streams;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.tryout.TryOutRequest;
import dev.cronhook.core.tryout.redis.RedisTryOutChannel;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.process.ProcessScriptRuntime;
import dev.cronhook.tryout.TryOutService;
import dev.cronhook.tryout.worker.TryOutWorker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;

/**
 * The try-out role: a worker that takes try-outs off the {@code cronhook:try-outs} stream (the api, in this
 * process or another, puts them there) and runs them. Uses the builder's npm installer (the same cache under
 * {@code cronhook.home/builder}, so dependencies installed for a saved script are reused) and the executor's
 * process runtime, which starts fastest; its isolation is the pod's, see README.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty("cronhook.role.try-out.enabled")
public class TryOutConfiguration {

    @Bean(destroyMethod = "close")
    ProcessScriptRuntime tryOutRuntime(
            @Value("${cronhook.home}") Path home, @Value("${cronhook.executor.node:node}") String node) {
        var limits = new RuntimeLimits(1024 * 1024, 10_000, 16_384, 128, 1.0, 64, 256, Duration.ofSeconds(30));
        LoggerFactory.getLogger(TryOutConfiguration.class)
                .warn("try-out runs unsaved code as local node processes: they are not isolated from this host;"
                        + " run the try-out role in its own pod or machine");
        return new ProcessScriptRuntime(
                node,
                home.resolve("try-out"),
                limits,
                new HarnessScriptRuntime.WarmSettings(1, Duration.ofSeconds(1), 1));
    }

    @Bean
    TryOutService tryOutService(
            ObjectProvider<DependencyInstaller> builderInstaller,
            ProcessScriptRuntime tryOutRuntime,
            @Value("${cronhook.home}") Path home,
            @Value("${cronhook.try-out.timeout:10s}") Duration timeout,
            @Value("${cronhook.try-out.memory-mb:256}") int memoryMb) {
        // the builder's installer when this process builds too, else one on the same cache directory
        var installer = builderInstaller.getIfAvailable(() -> new NpmDependencyInstaller(
                home.resolve("builder"),
                new NpmSettings(
                        List.of("npm"),
                        null,
                        Duration.ofMinutes(5),
                        300L * 1024 * 1024,
                        Duration.ofMinutes(5),
                        new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(10)))));
        return new TryOutService(
                installer,
                home.resolve("try-out").resolve("bundles"),
                tryOutRuntime,
                new TryOutService.Limits(timeout, memoryMb));
    }

    @Bean
    TryOutWorkerLifecycle tryOutWorker(
            RedisClient redis,
            StatefulRedisConnection<String, String> connection,
            TryOutService service,
            @Value("${cronhook.try-out.consumer-name:}") String consumerName,
            @Value("${cronhook.try-out.concurrency:4}") int concurrency,
            @Value("${cronhook.try-out.visibility-timeout:10s}") Duration visibilityTimeout) {
        var channel = new RedisTryOutChannel(redis, connection, Wire.json());
        // a try-out whose worker died is given to another worker once; if that one dies too, the caller is told
        var options = QueueOptions.<TryOutRequest>defaults()
                .withVisibilityTimeout(visibilityTimeout)
                .withMaxDeliveries(2)
                .withConcurrency(concurrency)
                .withDeadLetterHandler(TryOutWorker.deadLetterTo(channel));
        var queue = new RedisWorkQueue<>(
                redis, connection, Streams.TRY_OUTS, Streams.TRY_OUT_GROUP, TryOutRequest.class, Wire.json(), options);
        String name = consumerName.isBlank() ? defaultName() : consumerName;
        return new TryOutWorkerLifecycle(new TryOutWorker(queue, channel, service, name, Duration.ofSeconds(2)));
    }

    /** Host, process and a random part: two workers in one JVM (tests) never share a name. */
    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        return host + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
    }
}

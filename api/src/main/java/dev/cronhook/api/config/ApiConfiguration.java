package dev.cronhook.api.config;

import dev.cronhook.api.build.BuildResultRecorder;
import dev.cronhook.api.db.Tx;
import dev.cronhook.api.run.RunCompletions;
import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunResultRecorder;
import dev.cronhook.api.run.RunRetries;
import dev.cronhook.api.script.ScriptLimits;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.core.build.BuildRequest;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.Streams;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.json.JsonMapper;

/** The api role: REST API, auth, persistence and the recorders of what workers report. */
@AutoConfiguration
@ConditionalOnBooleanProperty("cronhook.role.api.enabled")
@ComponentScan(
        basePackages = {
            "dev.cronhook.api.db",
            "dev.cronhook.api.error",
            "dev.cronhook.api.user",
            "dev.cronhook.api.script",
            "dev.cronhook.api.run"
        })
@EnableConfigurationProperties(ScriptLimits.class)
@Import(SecurityConfiguration.class)
public class ApiConfiguration {

    @Bean
    WorkQueue<BuildRequest> buildQueue(RedisClient redis, StatefulRedisConnection<String, String> connection) {
        return new RedisWorkQueue<>(
                redis,
                connection,
                Streams.BUILDS,
                "builders",
                BuildRequest.class,
                Wire.json(),
                QueueOptions.defaults());
    }

    @Bean
    WorkQueue<BuildResult> buildResultQueue(RedisClient redis, StatefulRedisConnection<String, String> connection) {
        return new RedisWorkQueue<>(
                redis,
                connection,
                Streams.BUILD_RESULTS,
                "api",
                BuildResult.class,
                Wire.json(),
                QueueOptions.<BuildResult>defaults().withMaxDeliveries(20));
    }

    @Bean
    WorkQueue<RunRequest> runQueue(RedisClient redis, StatefulRedisConnection<String, String> connection) {
        return new RedisWorkQueue<>(
                redis, connection, Streams.RUNS, "executors", RunRequest.class, Wire.json(), QueueOptions.defaults());
    }

    @Bean
    WorkQueue<RunResult> runResultQueue(RedisClient redis, StatefulRedisConnection<String, String> connection) {
        return new RedisWorkQueue<>(
                redis,
                connection,
                Streams.RUN_RESULTS,
                "api",
                RunResult.class,
                Wire.json(),
                QueueOptions.<RunResult>defaults().withMaxDeliveries(20).withConcurrency(64));
    }

    @Bean
    RunResultRecorder runResultRecorder(
            WorkQueue<RunResult> runResultQueue,
            RunRepository runs,
            StatefulRedisConnection<String, String> connection,
            JsonMapper json,
            ObjectProvider<RunRetries> retries) {
        return new RunResultRecorder(
                runResultQueue, runs, connection, json, retries.getIfAvailable(() -> RunRetries.NONE));
    }

    @Bean
    RunCompletions runCompletions(RedisClient redis) {
        return new RunCompletions(redis);
    }

    @Bean
    BuildResultRecorder buildResultRecorder(WorkQueue<BuildResult> buildResultQueue, ScriptRepository scripts, Tx tx) {
        return new BuildResultRecorder(buildResultQueue, scripts, tx);
    }
}

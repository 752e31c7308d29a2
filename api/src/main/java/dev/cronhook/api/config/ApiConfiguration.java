package dev.cronhook.api.config;

import dev.cronhook.api.build.BuildEnds;
import dev.cronhook.api.build.BuildResultRecorder;
import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.db.Tx;
import dev.cronhook.api.error.ScriptNotFoundException;
import dev.cronhook.api.hook.WebhookProperties;
import dev.cronhook.api.log.DatabaseLogStore;
import dev.cronhook.api.log.LiveLog;
import dev.cronhook.api.log.LogArchiver;
import dev.cronhook.api.log.redis.RedisLiveLog;
import dev.cronhook.api.run.RunEnds;
import dev.cronhook.api.run.RunLauncher;
import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunResultRecorder;
import dev.cronhook.api.run.RunRetries;
import dev.cronhook.api.script.ScriptLimits;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.secret.SecretCipher;
import dev.cronhook.api.secret.TryOutGrants;
import dev.cronhook.api.tryout.TryOuts;
import dev.cronhook.api.user.AuthProperties;
import dev.cronhook.api.user.SignInThrottle;
import dev.cronhook.api.user.redis.RedisSignInThrottle;
import dev.cronhook.core.build.BuildRequest;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.log.LogStore;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.Queues;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.redis.RedisQueues;
import dev.cronhook.core.queue.redis.RedisWorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.Admission;
import dev.cronhook.core.run.DirectRuns;
import dev.cronhook.core.run.FinishedRuns;
import dev.cronhook.core.run.RunBacklog;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunSignals;
import dev.cronhook.core.run.redis.RedisAdmission;
import dev.cronhook.core.run.redis.RedisFinishedRuns;
import dev.cronhook.core.run.redis.RedisRunBacklog;
import dev.cronhook.core.run.redis.RedisRunSignals;
import dev.cronhook.core.tryout.TryOutRequest;
import dev.cronhook.core.tryout.redis.RedisTryOutChannel;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** The api role: REST API, auth, persistence and the recorders of what workers report. */
// after the CloudWatch log store (when configured), so the database store is the fallback, not a second store
@AutoConfiguration(afterName = "dev.cronhook.executor.config.CloudWatchLogsAutoConfiguration")
@ConditionalOnBooleanProperty("cronhook.role.api.enabled")
@ComponentScan(
        basePackages = {
            "dev.cronhook.api.db",
            "dev.cronhook.api.error",
            "dev.cronhook.api.user",
            "dev.cronhook.api.environment",
            "dev.cronhook.api.script",
            "dev.cronhook.api.run",
            "dev.cronhook.api.hook",
            "dev.cronhook.api.secret",
            "dev.cronhook.api.log",
            "dev.cronhook.api.tryout",
            "dev.cronhook.api.alert",
            "dev.cronhook.api.metrics"
        })
@EnableConfigurationProperties({ScriptLimits.class, WebhookProperties.class, AuthProperties.class})
@Import(SecurityConfiguration.class)
public class ApiConfiguration {

    /** The OpenAPI document's heading (its paths are the API's and the webhooks', see springdoc.paths-to-match). */
    @Bean
    io.swagger.v3.oas.models.OpenAPI cronhookOpenApi() {
        String version = ApiConfiguration.class.getPackage().getImplementationVersion();
        return new io.swagger.v3.oas.models.OpenAPI()
                .info(new io.swagger.v3.oas.models.info.Info()
                        .title("Cronhook API")
                        .version(version != null ? version : "0.1.0-SNAPSHOT")
                        .description("Scripts (Node.js, with npm dependencies) run by webhook, by cron schedule and"
                                + " by hand: create and change them, deploy and roll back versions, try unsaved"
                                + " code, set secrets, follow runs and their logs. Sign in with POST"
                                + " /api/auth/login and send the token as Authorization: Bearer <token>."
                                + " Errors are RFC 9457 problem documents."))
                .components(new io.swagger.v3.oas.models.Components()
                        .addSecuritySchemes(
                                "bearer",
                                new io.swagger.v3.oas.models.security.SecurityScheme()
                                        .type(io.swagger.v3.oas.models.security.SecurityScheme.Type.HTTP)
                                        .scheme("bearer")))
                .addSecurityItem(new io.swagger.v3.oas.models.security.SecurityRequirement().addList("bearer"));
    }

    @Bean
    tools.jackson.databind.JacksonModule nulFreeStrings() {
        return new NulFreeStrings();
    }

    /** The platform's queues, as Redis streams. */
    @Bean
    Queues queues(RedisClient redis, StatefulRedisConnection<String, String> connection) {
        return new RedisQueues(redis, connection);
    }

    /** The ends executors publish, read and awaited; subscribed to their announcements while the api runs. */
    @Bean(initMethod = "start", destroyMethod = "close")
    RedisFinishedRuns finishedRuns(
            RedisClient redis,
            StatefulRedisConnection<String, String> connection,
            @Value("${cronhook.runs.recorded-key-ttl:10m}") Duration recordedKeyTtl,
            @Value("${cronhook.runs.archived-log-ttl:1m}") Duration archivedLogTtl) {
        return new RedisFinishedRuns(redis, connection, recordedKeyTtl, archivedLogTtl);
    }

    @Bean
    Admission admission(StatefulRedisConnection<String, String> connection) {
        return new RedisAdmission(connection);
    }

    @Bean
    RunSignals runSignals(RedisClient redis, StatefulRedisConnection<String, String> connection) {
        return new RedisRunSignals(redis, connection);
    }

    @Bean
    WorkQueue<BuildRequest> buildQueue(Queues queues) {
        return queues.open(QueueSpec.BUILDS);
    }

    @Bean
    WorkQueue<BuildResult> buildResultQueue(Queues queues) {
        return queues.open(
                QueueSpec.BUILD_RESULTS, QueueOptions.<BuildResult>defaults().withMaxDeliveries(20));
    }

    /** Failed sign-ins are counted in Redis, so every api replica holds back the same account and address. */
    @Bean
    SignInThrottle signInThrottle(StatefulRedisConnection<String, String> connection, AuthProperties properties) {
        return new RedisSignInThrottle(connection, properties.throttle());
    }

    @Bean
    SecretCipher secretCipher(Environment env) throws IOException {
        String key = env.getProperty("cronhook.secret-key", "");
        if (!key.isBlank()) return SecretCipher.fromBase64(key);
        Path file = Path.of(env.getProperty("cronhook.home", System.getProperty("user.home") + "/.cronhook"))
                .resolve("secret.key");
        if (Files.exists(file)) return SecretCipher.fromBase64(Files.readString(file));
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        Files.createDirectories(file.getParent());
        // mode 0600 from the moment it exists, not after a chmod
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, Base64.getEncoder().encodeToString(raw));
        LoggerFactory.getLogger(ApiConfiguration.class)
                .warn(
                        "No CRONHOOK_SECRET_KEY set: generated a new secret key in {}. Back it up: without it the"
                                + " stored secrets cannot be decrypted.",
                        file);
        return new SecretCipher(raw);
    }

    @Bean
    WorkQueue<RunRequest> runQueue(Queues queues) {
        return queues.open(QueueSpec.RUNS);
    }

    @Bean
    RunBacklog runBacklog(StatefulRedisConnection<String, String> connection) {
        return new RedisRunBacklog(connection);
    }

    /**
     * Two batches of new runs in flight at once: while one waits for its INSERT the next fills up, so the rate of
     * runs accepted is not bound to one database round trip.
     */
    @Bean(destroyMethod = "close")
    RunLauncher runLauncher(
            RunRepository runs,
            WorkQueue<RunRequest> runQueue,
            Admission admission,
            RunBacklog backlog,
            ObjectProvider<DirectRuns> direct,
            @Value("${cronhook.runs.direct-hold-slack:2m}") Duration holdSlack) {
        // the executor in this process, if any, is looked up on first use: it is made after the api's beans
        return new RunLauncher(runs, runQueue, admission, backlog, direct::getIfAvailable, holdSlack, 2, 256);
    }

    @Bean
    WorkQueue<RunResult> runResultQueue(Queues queues) {
        return queues.open(
                QueueSpec.RUN_RESULTS,
                QueueOptions.<RunResult>defaults().withMaxDeliveries(20).withConcurrency(64));
    }

    @Bean
    LiveLog liveLog(RedisClient redis, StatefulRedisConnection<String, String> connection) {
        return new RedisLiveLog(redis, connection);
    }

    @Bean
    @ConditionalOnMissingBean(LogStore.class)
    DatabaseLogStore databaseLogStore(JdbcClient jdbc) {
        return new DatabaseLogStore(jdbc);
    }

    @Bean
    RunResultRecorder runResultRecorder(
            WorkQueue<RunResult> runResultQueue,
            RunRepository runs,
            JsonMapper json,
            LiveLog live,
            LogStore store,
            ObjectProvider<RunRetries> retries,
            ObjectProvider<RunEnds> watchers,
            FinishedRuns finished) {
        // with CloudWatch configured the executors ship logs there; otherwise the api archives them
        var archiver = store instanceof DatabaseLogStore ? new LogArchiver(live, store) : null;
        return new RunResultRecorder(
                runResultQueue,
                runs,
                json,
                archiver,
                retries.getIfAvailable(() -> RunRetries.NONE),
                finished,
                watchers.getIfAvailable(() -> RunEnds.NONE));
    }

    @Bean
    BuildResultRecorder buildResultRecorder(
            WorkQueue<BuildResult> buildResultQueue,
            ScriptRepository scripts,
            Tx tx,
            ReadCaches caches,
            ObjectProvider<BuildEnds> watchers) {
        return new BuildResultRecorder(
                buildResultQueue, scripts, tx, caches, watchers.getIfAvailable(() -> BuildEnds.NONE));
    }

    /** Try-outs go to the try-out workers over Redis, so any api replica serves them, whichever process runs them. */
    @Bean
    TryOuts tryOuts(
            RedisClient redis,
            StatefulRedisConnection<String, String> connection,
            ScriptRepository scripts,
            TryOutGrants grants,
            @Value("${cronhook.try-out.pickup-timeout:15s}") Duration pickupTimeout,
            @Value("${cronhook.try-out.wait-timeout:5m}") Duration waitTimeout,
            @Value("${cronhook.try-out.worker-timeout:10s}") Duration workerTimeout) {
        // produce only: the try-out workers consume this stream in their group
        var queue = new RedisWorkQueue<>(
                redis,
                connection,
                Streams.TRY_OUTS,
                Streams.TRY_OUT_GROUP,
                TryOutRequest.class,
                Wire.json(),
                QueueOptions.<TryOutRequest>defaults());
        return new TryOuts(
                queue,
                new RedisTryOutChannel(redis, connection, Wire.json()),
                new TryOuts.Settings(pickupTimeout, waitTimeout, workerTimeout),
                (tryOutId, userId, scriptId, validFor) -> {
                    var script =
                            scripts.find(userId, scriptId).orElseThrow(() -> new ScriptNotFoundException(scriptId));
                    return new TryOuts.Granted(grants.issue(tryOutId, userId, scriptId, validFor), script.egress());
                });
    }
}

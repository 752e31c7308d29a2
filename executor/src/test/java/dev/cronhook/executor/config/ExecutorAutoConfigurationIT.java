package dev.cronhook.executor.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import dev.cronhook.executor.runtime.process.ProcessScriptRuntime;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ExecutorAutoConfigurationIT {
    static final String REDIS = System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/11");

    @TempDir
    Path home;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ExecutorAutoConfiguration.class))
            .withUserConfiguration(Redis.class);

    @Configuration(proxyBeanMethods = false)
    static class Redis {
        @Bean(destroyMethod = "shutdown")
        RedisClient redisClient() {
            return RedisClient.create(REDIS);
        }

        @Bean(destroyMethod = "close")
        StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
            return client.connect();
        }
    }

    @Test
    void theExecutorRoleIsOffUnlessEnabled() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(ScriptRuntime.class);
            assertThat(context).doesNotHaveBean(RunWorkerLifecycle.class);
        });
    }

    @Test
    void theProcessRuntimeIsChosenWhenAskedForAndItsWorkDirDefaultsUnderTheHome() {
        runner.withPropertyValues(
                        "cronhook.role.executor.enabled=true",
                        "cronhook.executor.runtime=process",
                        "cronhook.home=" + home,
                        "cronhook.executor.max-log-lines=500",
                        "cronhook.executor.warm-idle-time=2m")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(ScriptRuntime.class))
                            .isInstanceOfSatisfying(
                                    ProcessScriptRuntime.class,
                                    runtime -> assertThat(runtime.sandboxed()).isTrue());
                    var properties = context.getBean(ExecutorProperties.class);
                    assertThat(properties.unsafeProcessRuntime()).isFalse();
                    assertThat(properties.maxLogLines()).isEqualTo(500);
                    assertThat(properties.maxResultBytes()).isEqualTo(1 << 20);
                    assertThat(properties.warmIdleTime()).hasMinutes(2);
                    assertThat(ExecutorAutoConfiguration.workDir(properties, context.getEnvironment()))
                            .isEqualTo(home.resolve("executor"));
                    assertThat(context.getBean(RunWorkerLifecycle.class).isRunning())
                            .isTrue();
                });
    }

    @Test
    void autoPicksDockerWhereAnEngineAnswers() {
        runner.withPropertyValues("cronhook.role.executor.enabled=true", "cronhook.home=" + home)
                .run(context ->
                        assertThat(context.getBean(ScriptRuntime.class)).isInstanceOf(DockerScriptRuntime.class));
    }

    @Test
    void theHarnessSocketsLiveUnderTheWorkDirUnlessConfiguredOrTurnedOff() {
        runner.withPropertyValues("cronhook.role.executor.enabled=true", "cronhook.home=" + home)
                .run(context -> {
                    var properties = context.getBean(ExecutorProperties.class);
                    var sockets = ExecutorAutoConfiguration.socketDir(properties, context.getEnvironment());
                    assertThat(sockets).isEqualTo(home.resolve("executor").resolve("sockets"));
                    assertThat(sockets).isDirectory();
                });
        runner.withPropertyValues(
                        "cronhook.role.executor.enabled=true",
                        "cronhook.home=" + home,
                        "cronhook.executor.socket-dir=" + home.resolve("shared"))
                .run(context -> assertThat(ExecutorAutoConfiguration.socketDir(
                                context.getBean(ExecutorProperties.class), context.getEnvironment()))
                        .isEqualTo(home.resolve("shared")));
        runner.withPropertyValues(
                        "cronhook.role.executor.enabled=true",
                        "cronhook.home=" + home,
                        "cronhook.executor.harness-socket=false")
                .run(context -> assertThat(ExecutorAutoConfiguration.socketDir(
                                context.getBean(ExecutorProperties.class), context.getEnvironment()))
                        .isNull());
    }

    @Test
    void aDefaultSocketDirectoryTooLongForASocketAddressMovesToAShortOneOfTheInstallationsOwn() {
        var deep = home.resolve("h".repeat(80));
        runner.withPropertyValues("cronhook.role.executor.enabled=true", "cronhook.home=" + deep)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    var dir = ExecutorAutoConfiguration.socketDir(
                            context.getBean(ExecutorProperties.class), context.getEnvironment());
                    try {
                        assertThat(dir).isNotNull();
                        assertThat(dir.startsWith(deep)).isFalse();
                        assertThat(SocketDirs.fits(dir)).isTrue();
                        assertThat(dir.getFileName().toString()).startsWith("cronhook-executor-");
                    } finally {
                        if (dir != null) java.nio.file.Files.deleteIfExists(dir);
                    }
                });
    }

    @Test
    void autoFallsBackToTheProcessRuntimeWhereNoEngineAnswers() {
        runner.withPropertyValues(
                        "cronhook.role.executor.enabled=true",
                        "cronhook.home=" + home,
                        "cronhook.executor.docker-host=unix://" + home.resolve("no-docker.sock"))
                .run(context ->
                        assertThat(context.getBean(ScriptRuntime.class)).isInstanceOf(ProcessScriptRuntime.class));
    }

    @Test
    void theUnsafeSettingDoesNotTurnOffASandboxThisMachineCanMake() {
        runner.withPropertyValues(
                        "cronhook.role.executor.enabled=true",
                        "cronhook.executor.runtime=process",
                        "cronhook.executor.unsafe-process-runtime=true",
                        "cronhook.home=" + home)
                .run(context -> {
                    assertThat(context.getBean(ExecutorProperties.class).unsafeProcessRuntime())
                            .isTrue();
                    assertThat(context.getBean(ScriptRuntime.class))
                            .isInstanceOfSatisfying(
                                    ProcessScriptRuntime.class,
                                    runtime -> assertThat(runtime.sandboxed()).isTrue());
                });
    }
}

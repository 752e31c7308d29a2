package dev.cronhook.builder.config;

import static dev.cronhook.builder.Scripts.aScript;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.builder.RedisTestSupport;
import dev.cronhook.builder.image.BundleImageBuilder;
import dev.cronhook.builder.image.ImageBuilder;
import dev.cronhook.builder.image.JibImageBuilder;
import dev.cronhook.core.build.BuildState;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class BuilderAutoConfigurationIT {
    private final RedisTestSupport redis = new RedisTestSupport();

    @TempDir
    Path home;

    /** The app's Redis beans, as the app would provide them; the context closes them. */
    private final RedisTestSupport appRedis = new RedisTestSupport();

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BuilderAutoConfiguration.class))
                .withBean(RedisClient.class, () -> appRedis.client)
                .withBean(StatefulRedisConnection.class, () -> appRedis.connection)
                .withPropertyValues("cronhook.home=" + home);
    }

    @BeforeEach
    void emptyStreams() {
        redis.clearBuildStreams();
    }

    @AfterEach
    void close() {
        redis.clearBuildStreams();
        redis.close();
    }

    @Test
    void theBuilderRoleIsOffUnlessEnabled() {
        runner().run(context -> assertThat(context).doesNotHaveBean(BuildWorkerLifecycle.class));
    }

    @Test
    void theEnabledRoleBuildsQueuedRequestsIntoBundlesUnderTheHomeDirectory() {
        runner().withPropertyValues("cronhook.role.builder.enabled=true", "cronhook.builder.target=bundle")
                .run(context -> {
                    assertThat(context).hasSingleBean(BuildWorkerLifecycle.class);
                    assertThat(context.getBean(ImageBuilder.class)).isInstanceOf(BundleImageBuilder.class);
                    assertThat(context.getBean(BuildWorkerLifecycle.class).isRunning())
                            .isTrue();
                    var script = aScript().withCode("export default async () => 'wired';\n");

                    redis.enqueue(script.version(1));

                    await().atMost(Duration.ofSeconds(30)).until(() -> redis.resultsFor(script.id()).stream()
                            .anyMatch(r -> r.state() == BuildState.READY));
                    var ready = redis.resultsFor(script.id()).getLast();
                    assertThat(ready.imageRef())
                            .isEqualTo("bundle:"
                                    + home.resolve("builder/bundles")
                                            .resolve(script.id().toString())
                                            .resolve("v1"));
                });
    }

    @Test
    void aConfiguredRegistryMakesTheAutomaticTargetPushThere() {
        runner().withPropertyValues("cronhook.role.builder.enabled=true", "cronhook.builder.registry=127.0.0.1:5000")
                .run(context -> assertThat(context.getBean(ImageBuilder.class))
                        .isInstanceOfSatisfying(
                                JibImageBuilder.class,
                                images -> assertThat(images.target().toString()).contains("127.0.0.1:5000")));
    }
}

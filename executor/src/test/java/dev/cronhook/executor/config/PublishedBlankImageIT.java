package dev.cronhook.executor.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.TestScripts;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor without the try-out role in its process (its own pod) keeps blank shared sandboxes ready from the image
 * the try-out role named in Redis: none while none is named, then as many as it is told, started from that image on
 * the real engine.
 */
class PublishedBlankImageIT {
    static final String REDIS = System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/12");
    static final String OWNER = "it-blank-image-" + UUID.randomUUID();

    @TempDir
    Path sockets;

    DockerClient docker;
    DockerScriptRuntime runtime;
    RedisClient client;
    StatefulRedisConnection<String, String> redis;
    PublishedBlankImage published;

    @BeforeEach
    void start() {
        client = RedisClient.create(REDIS);
        redis = client.connect();
        redis.sync().del(Streams.BLANK_IMAGE);
        docker = DockerScriptRuntime.client("unix:///var/run/docker.sock");
        runtime = new DockerScriptRuntime(
                docker,
                "none",
                OWNER,
                RuntimeLimits.defaults(),
                HarnessScriptRuntime.WarmSettings.defaults(),
                sockets,
                DockerScriptRuntime.OCI_AUTO);
        runtime.shareSandboxes(true);
    }

    @AfterEach
    void stop() {
        if (published != null) published.stop();
        runtime.close();
        runtime.removeLeftovers();
        redis.sync().del(Streams.BLANK_IMAGE);
        redis.close();
        client.shutdown();
    }

    @Test
    void blankSandboxesStartOnceTheTryOutNamesItsImage() throws InterruptedException {
        published = new PublishedBlankImage(redis, runtime, 64, 2, Duration.ofMillis(200), Duration.ofSeconds(1));
        published.start();

        Thread.sleep(1000);
        assertThat(published.applied()).isNull();
        assertThat(runtime.blanksReady(64)).as("no image named: none started").isZero();

        String image = TestScripts.image();
        redis.sync().set(Streams.BLANK_IMAGE, image);

        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> runtime.blanksReady(64) == 2);
        assertThat(published.applied()).isEqualTo(image);
    }

    @Test
    void anExecutorThatKeepsNoBlanksLooksForNothing() {
        var none = PublishedBlankImage.none();
        none.start();
        assertThat(none.isRunning()).isTrue();
        assertThat(none.applied()).isNull();
        none.stop();
    }
}

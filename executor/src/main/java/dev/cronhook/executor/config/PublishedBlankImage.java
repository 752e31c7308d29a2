package dev.cronhook.executor.config;

import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * For an executor whose process has no try-out role (its own pod on Kubernetes): the blank sandboxes' image that the
 * try-out role built into the registry and named in Redis ({@link Streams#BLANK_IMAGE}), so that this executor too
 * keeps blank shared sandboxes started for the first call of a tenant new to it, instead of starting one from the
 * script's image then. Looks every {@code untilFound} until the image is named, then every {@code afterwards} for a
 * newer one (the try-out builds it again after an upgrade). One virtual thread; a GET each time.
 */
public final class PublishedBlankImage implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(PublishedBlankImage.class);

    private final StatefulRedisConnection<String, String> redis;
    private final DockerScriptRuntime runtime;
    private final int memoryMb;
    private final int count;
    private final Duration untilFound;
    private final Duration afterwards;
    private volatile Thread looking;
    private volatile String applied;
    private volatile boolean started;

    public PublishedBlankImage(
            StatefulRedisConnection<String, String> redis,
            DockerScriptRuntime runtime,
            int memoryMb,
            int count,
            Duration untilFound,
            Duration afterwards) {
        this.redis = redis;
        this.runtime = runtime;
        this.memoryMb = memoryMb;
        this.count = count;
        this.untilFound = untilFound;
        this.afterwards = afterwards;
    }

    /** The image this executor starts its blank sandboxes from now (null: none named yet). */
    public String applied() {
        return applied;
    }

    /** Looks once: takes the named image if it is new. */
    void look() {
        String image;
        try {
            image = redis.sync().get(Streams.BLANK_IMAGE);
        } catch (RuntimeException e) {
            log.debug("could not read the blank sandbox image's name: {}", e.toString());
            return;
        }
        if (image == null || image.equals(applied)) return;
        runtime.blankImage(image);
        runtime.keepBlanksReady(memoryMb, count);
        applied = image;
        log.info("blank shared sandboxes start from {} (built by the try-out role), {} kept ready", image, count);
    }

    /** Nothing to look for: this executor has no shared sandboxes in Docker, or keeps no blank ones ready. */
    public static PublishedBlankImage none() {
        return new PublishedBlankImage(null, null, 0, 0, Duration.ZERO, Duration.ZERO);
    }

    @Override
    public synchronized void start() {
        started = true;
        if (looking != null || runtime == null) return;
        looking = Thread.ofVirtual().name("blank-image").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                look();
                LockSupport.parkNanos((applied == null ? untilFound : afterwards).toNanos());
            }
        });
    }

    @Override
    public synchronized void stop() {
        started = false;
        if (looking != null) looking.interrupt();
        looking = null;
    }

    @Override
    public boolean isRunning() {
        return started;
    }
}

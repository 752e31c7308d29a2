package dev.cronhook.tryout;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.image.ImageBuilder;
import dev.cronhook.builder.image.ImageSpec;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.log.BuildLogSink;
import dev.cronhook.core.build.BuildState;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image try-outs' blank sandboxes start from: a script image as the builder makes them (the Node runtime and the
 * harness) whose own script is never loaded: the harness of a blank sandbox loads the code placed into it. Built
 * once in the background when the worker starts; a failed build is tried again by the next try-out that waits.
 */
public final class BlankSandboxImage implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BlankSandboxImage.class);
    /** The script id its image is built under: no script has it. */
    static final UUID ID = new UUID(0, 1);

    private static final String PLACEHOLDER =
            "export default () => { throw new Error(\"a blank sandbox runs the code placed into it\"); };\n";

    private final ImageBuilder images;
    private final Consumer<String> onBuilt;
    private volatile CompletableFuture<String> built;

    private BlankSandboxImage(ImageBuilder images, Consumer<String> onBuilt) {
        this.images = images;
        this.onBuilt = onBuilt;
    }

    /** Starts building it; {@code onBuilt} gets its reference once it is there. */
    public static BlankSandboxImage buildInBackground(ImageBuilder images, Consumer<String> onBuilt) {
        var image = new BlankSandboxImage(images, onBuilt);
        image.build();
        return image;
    }

    private synchronized CompletableFuture<String> build() {
        var current = built;
        if (current != null && !current.isCompletedExceptionally()) return current;
        var next = new CompletableFuture<String>();
        built = next;
        Thread.ofVirtual().name("blank-image").start(() -> {
            long start = System.nanoTime();
            try {
                var image = images.build(
                        new ImageSpec(ID, 1, PLACEHOLDER, "{\"type\":\"module\"}\n", null),
                        new BuildLog(quiet(), Clock.systemUTC()));
                onBuilt.accept(image.imageRef());
                log.info(
                        "blank sandbox image {} ready in {} ms",
                        image.imageRef(),
                        (System.nanoTime() - start) / 1_000_000);
                next.complete(image.imageRef());
            } catch (BuildFailedException | RuntimeException e) {
                log.warn("could not build the image of try-out sandboxes: {}", e.toString());
                next.completeExceptionally(e);
            } catch (InterruptedException e) {
                next.completeExceptionally(e);
            }
        });
        return next;
    }

    /**
     * The image, waiting at most {@code atMost} for it to be built.
     *
     * @throws IllegalStateException when it could not be built (the next call tries again) or is not there in time
     */
    public String await(Duration atMost) throws InterruptedException {
        var future = build();
        try {
            return future.get(Math.max(1, atMost.toMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "the try-out sandbox's image could not be built: "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the try-out sandbox's image is still being built: try again shortly");
        }
    }

    private static BuildLogSink quiet() {
        return new BuildLogSink() {
            @Override
            public void line(long epochMillis, BuildLog.Source source, String text) {
                log.debug("blank sandbox image: {}", text);
            }

            @Override
            public void end(long epochMillis, BuildState outcome) {}
        };
    }

    @Override
    public void close() {
        var current = built;
        if (current != null) current.cancel(false);
    }
}

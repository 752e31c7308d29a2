package dev.cronhook.builder.image;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.log.BuildLog;

/**
 * Bakes a script version into something an executor can run (an image in a registry or an engine, or a
 * directory bundle). Thread-safe and idempotent: the same spec gives the same artifact (the same digest).
 */
public interface ImageBuilder {

    BuiltImage build(ImageSpec spec, BuildLog log) throws BuildFailedException, InterruptedException;

    /**
     * Does once, ahead of the first build, the work every build shares (e.g. compressing the Node runtime layer).
     * Optional and idempotent; a build that starts meanwhile waits for it rather than doing it twice.
     */
    default void prepare() {}
}

package dev.cronhook.builder.image;

import dev.cronhook.core.build.CodeHandoff;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the code handoff of this host's builds ({@link CodeHandoff}) from growing with every version saved: at start
 * and then every {@code every}, the code of images neither built nor taken within {@code retention} goes.
 */
public final class HandoffPruning implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HandoffPruning.class);

    private final Thread thread;

    private HandoffPruning(Thread thread) {
        this.thread = thread;
    }

    /** Prunes {@code handoff} in the background; nothing when it is null or {@code retention} is not positive. */
    public static HandoffPruning start(CodeHandoff handoff, Duration retention, Duration every) {
        if (handoff == null || retention == null || !retention.isPositive()) return new HandoffPruning(null);
        return new HandoffPruning(
                Thread.ofVirtual().name("code-handoff-pruning").start(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            int pruned = handoff.prune(retention, Instant.now());
                            if (pruned > 0) {
                                log.info("removed the handed-off code of {} image(s) unused for {}", pruned, retention);
                            }
                        } catch (java.io.IOException | RuntimeException e) {
                            log.warn("could not prune the code handoff {}: {}", handoff.dir(), e.toString());
                        }
                        try {
                            Thread.sleep(every);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
    }

    @Override
    public void close() {
        if (thread != null) thread.interrupt();
    }
}

package dev.cronhook.tryout.worker;

import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.tryout.TryOutChannel;
import dev.cronhook.core.tryout.TryOutEvent;
import dev.cronhook.core.tryout.TryOutRequest;
import dev.cronhook.tryout.TryOutService;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes try-outs off the try-out queue, runs each once and publishes its events (started, install and log lines,
 * how it finished) on its event stream for the api replica that waits for it; says every few seconds that it is
 * alive, so the api can tell a caller at once that no try-out worker is up. A try-out that has ended already
 * (the api gave up on it) or whose caller stopped waiting is acknowledged without running it.
 */
public final class TryOutWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TryOutWorker.class);

    private final WorkQueue<TryOutRequest> queue;
    private final TryOutChannel channel;
    private final TryOutService service;
    private final String name;
    private final Duration heartbeatEvery;
    private volatile WorkQueue.Worker consumer;
    private volatile Thread heartbeat;

    public TryOutWorker(
            WorkQueue<TryOutRequest> queue,
            TryOutChannel channel,
            TryOutService service,
            String name,
            Duration heartbeatEvery) {
        this.queue = queue;
        this.channel = channel;
        this.service = service;
        this.name = name;
        this.heartbeatEvery = heartbeatEvery;
    }

    /** What the queue does with a try-out delivered too often (its workers kept dying): it ends, saying so. */
    public static BiConsumer<TryOutRequest, String> deadLetterTo(TryOutChannel channel) {
        return (request, reason) -> channel.publish(
                request.id(),
                new TryOutEvent.Failed(
                        503,
                        "the try-out could not be run: its try-out worker stopped while running it (" + reason + ")"));
    }

    public String name() {
        return name;
    }

    public void start() {
        channel.heartbeat(name);
        heartbeat = Thread.ofVirtual().name("try-out-heartbeat").start(this::beat);
        consumer = queue.consume(name, delivery -> handle(delivery.message(), delivery.deliveryCount()));
        log.info("try-out worker {} is taking try-outs", name);
    }

    private void handle(TryOutRequest request, long attempt) throws InterruptedException {
        if (Instant.now().isAfter(request.deadline()) || channel.hasEnded(request.id())) {
            log.debug("try-out {} has ended already or its caller stopped waiting: not run", request.id());
            return;
        }
        channel.publish(request.id(), new TryOutEvent.Started(attempt, name));
        TryOutEvent.Finished finished;
        try {
            finished = service.run(request, e -> channel.publish(request.id(), e));
        } catch (RuntimeException e) {
            log.warn("try-out {} could not be run", request.id(), e);
            finished = new TryOutEvent.Finished(
                    RunStatus.FAILED.name(), null, null, "the try-out worker could not run it: " + e, 0, 0, 0);
        }
        channel.publish(request.id(), finished);
    }

    private void beat() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(heartbeatEvery);
                channel.heartbeat(name);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.debug("try-out worker {}: heartbeat failed: {}", name, e.toString());
            }
        }
    }

    /** Stops taking try-outs, lets the ones in hand finish (bounded), then says it has gone. */
    @Override
    public void close() {
        if (consumer != null) consumer.close();
        if (heartbeat != null) heartbeat.interrupt();
        try {
            channel.leave(name);
        } catch (RuntimeException e) {
            log.debug("try-out worker {}: could not say it has gone: {}", name, e.toString());
        }
    }
}

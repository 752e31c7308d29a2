package dev.cronhook.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a {@link WorkQueue}, which every adapter's test extends: at-least-once delivery, acknowledged when
 * handled, delivered again when not, dead-lettered after the deliveries allowed.
 */
public abstract class WorkQueueContract {
    /** A queue of strings of its own (a fresh name), delivering as {@code options} say. */
    protected abstract WorkQueue<String> queue(QueueOptions<String> options);

    private final List<WorkQueue.Worker> workers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopWorkers() {
        workers.forEach(WorkQueue.Worker::close);
    }

    private static QueueOptions<String> quick() {
        return QueueOptions.<String>defaults()
                .withVisibilityTimeout(Duration.ofMillis(300))
                .withMaxDeliveries(3);
    }

    @Test
    void everyMessageIsDeliveredAndOnceHandledNotAgain() throws InterruptedException {
        var queue = queue(quick());
        var ids = queue.enqueueAll(List.of("a", "b"));
        assertThat(ids).allSatisfy(id -> assertThat(id).isPresent());
        assertThat(queue.enqueue("c")).isNotBlank();
        List<String> seen = new CopyOnWriteArrayList<>();
        workers.add(queue.consume("one", d -> seen.add(d.message())));
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
        Thread.sleep(800);
        assertThat(seen).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void aMessageWhoseHandlerFailedIsDeliveredAgainWithItsCount() {
        var queue = queue(quick());
        queue.enqueue("flaky");
        List<Long> counts = new CopyOnWriteArrayList<>();
        workers.add(queue.consume("one", d -> {
            counts.add(d.deliveryCount());
            if (d.deliveryCount() < 2) throw new IllegalStateException("not yet");
        }));
        await().atMost(Duration.ofSeconds(15)).until(() -> counts.contains(2L));
        assertThat(counts).startsWith(1L, 2L);
    }

    @Test
    void aMessageThatKeepsFailingIsDeadLetteredAndItsHandlerTold() {
        List<String> dead = new CopyOnWriteArrayList<>();
        var queue = queue(quick().withDeadLetterHandler((message, reason) -> dead.add(message + ": " + reason)));
        queue.enqueue("poison");
        workers.add(queue.consumeAsync("one", d -> CompletableFuture.failedFuture(new IllegalStateException("never"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> !dead.isEmpty());
        assertThat(dead.getFirst()).startsWith("poison: ");
    }

    @Test
    void anAsyncStageAcknowledgesItsMessageWhenItCompletes() throws InterruptedException {
        var queue = queue(quick());
        queue.enqueue("later");
        List<String> seen = new CopyOnWriteArrayList<>();
        var stage = new CompletableFuture<Void>();
        workers.add(queue.consumeAsync("one", d -> {
            seen.add(d.message());
            return stage;
        }));
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
        stage.complete(null);
        Thread.sleep(800);
        assertThat(seen).containsExactly("later");
    }

    /**
     * Workers closed one after another while messages keep arriving (as an executor stops while runs are handed
     * back): no thread of a closed worker fails (a message read just as it closed must not be handed to its stopped
     * handlers), and every message is handled by a later worker.
     */
    @Test
    void aWorkerClosedWhileMessagesArriveFailsNoThreadAndLosesNoMessage() throws InterruptedException {
        var queue = queue(quick());
        Set<String> handled = ConcurrentHashMap.newKeySet();
        List<Throwable> escaped = new CopyOnWriteArrayList<>();
        var before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> escaped.add(e));
        int sent = 0;
        try {
            for (int round = 0; round < 30; round++) {
                var worker = queue.consume("one", d -> handled.add(d.message()));
                for (int i = 0; i < 5; i++) {
                    queue.enqueue("m" + sent++);
                    Thread.sleep(round % 3);
                }
                worker.close();
            }
            workers.add(queue.consume("last", d -> handled.add(d.message())));
            int all = sent;
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == all);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
        assertThat(escaped).as("errors thrown in a closing worker's threads").isEmpty();
    }
}

package dev.cronhook.api.db;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups work that arrives together into batches: while {@code lanes} batches are in hand, what arrives waits and
 * goes into the next one, so a batch is as large as the load makes it and an idle batcher adds no delay. When a
 * batch fails as a whole its items are tried again one at a time, so one bad item fails alone. Thread-safe.
 */
public final class Batcher<I, O> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Batcher.class);

    /** Does one batch; returns one result per item, in the items' order. */
    @FunctionalInterface
    public interface BatchFunction<I, O> {
        List<O> apply(List<I> items) throws Exception;
    }

    private record Pending<I, O>(I item, CompletableFuture<O> result) {}

    // the end of the queue: a lane that takes it puts it back for the others and stops
    @SuppressWarnings("rawtypes")
    private final Pending CLOSED = new Pending<>(null, null);

    private final String name;
    private final int maxBatch;
    private final BatchFunction<I, O> function;
    private final LinkedBlockingQueue<Pending<I, O>> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> lanes = new ArrayList<>();
    private volatile boolean open = true;

    public Batcher(String name, int lanes, int maxBatch, BatchFunction<I, O> function) {
        if (lanes < 1 || maxBatch < 1) throw new IllegalArgumentException("lanes and maxBatch must be at least 1");
        this.name = name;
        this.maxBatch = maxBatch;
        this.function = function;
        for (int i = 0; i < lanes; i++) {
            // platform threads: a lane lives as long as the batcher and its JDBC reads then block in the kernel
            // instead of passing through the JDK's poller (an epoll_ctl, a park and an unpark per round trip)
            this.lanes.add(
                    Thread.ofPlatform().daemon().name(name + "-batcher-" + i).start(this::lane));
        }
    }

    /** Queues one item; the future completes with its result or the exception that failed it. */
    public CompletableFuture<O> submit(I item) {
        var pending = new Pending<I, O>(item, new CompletableFuture<>());
        if (!open) {
            pending.result().completeExceptionally(new IllegalStateException(name + " is closed"));
        } else {
            waiting.add(pending);
        }
        return pending.result();
    }

    /** Queues several items together (they go into as few batches as {@code maxBatch} allows). */
    public List<CompletableFuture<O>> submitAll(List<I> items) {
        var out = new ArrayList<CompletableFuture<O>>(items.size());
        var batch = new ArrayList<Pending<I, O>>(items.size());
        for (I item : items) {
            var pending = new Pending<I, O>(item, new CompletableFuture<>());
            batch.add(pending);
            out.add(pending.result());
        }
        if (!open) {
            batch.forEach(p -> p.result().completeExceptionally(new IllegalStateException(name + " is closed")));
        } else {
            waiting.addAll(batch);
        }
        return out;
    }

    private void lane() {
        var batch = new ArrayList<Pending<I, O>>(maxBatch);
        while (true) {
            try {
                var first = waiting.take();
                if (first == CLOSED) {
                    waiting.add(CLOSED); // for the next lane
                    return;
                }
                batch.add(first);
                waiting.drainTo(batch, maxBatch - 1);
                if (batch.remove(CLOSED)) waiting.add(CLOSED);
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void run(List<Pending<I, O>> batch) {
        var items = batch.stream().map(Pending::item).toList();
        try {
            complete(batch, function.apply(items));
        } catch (Throwable whole) {
            if (batch.size() == 1) {
                batch.getFirst().result().completeExceptionally(whole);
                return;
            }
            log.debug(
                    "{}: a batch of {} failed ({}); trying its items one at a time",
                    name,
                    batch.size(),
                    whole.toString());
            for (var pending : batch) {
                try {
                    complete(List.of(pending), function.apply(List.of(pending.item())));
                } catch (Throwable e) {
                    pending.result().completeExceptionally(e);
                }
            }
        }
    }

    private void complete(List<Pending<I, O>> batch, List<O> results) {
        if (results.size() != batch.size()) {
            throw new IllegalStateException(name + ": " + results.size() + " results for " + batch.size() + " items");
        }
        for (int i = 0; i < batch.size(); i++) batch.get(i).result().complete(results.get(i));
    }

    /** Stops taking items and finishes those already queued (bounded wait). */
    @Override
    @SuppressWarnings("unchecked")
    public void close() {
        open = false;
        waiting.add(CLOSED);
        for (var lane : lanes) {
            try {
                lane.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Pending<I, O> left;
        while ((left = waiting.poll()) != null) {
            if (left != CLOSED) {
                left.result().completeExceptionally(new IllegalStateException(name + " closed before this item ran"));
            }
        }
    }
}

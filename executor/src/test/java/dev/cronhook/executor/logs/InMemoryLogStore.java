package dev.cronhook.executor.logs;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.log.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** A log store in memory that tests can take down, bring back, or hold mid-append. */
final class InMemoryLogStore implements LogStore {

    private final Map<String, List<LogLine>> logs = new ConcurrentHashMap<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean down;
    private volatile CountDownLatch hold = new CountDownLatch(0);

    void down() {
        down = true;
    }

    void up() {
        down = false;
    }

    /** Makes appends wait until {@link #release()}. */
    void hold() {
        hold = new CountDownLatch(1);
    }

    void release() {
        hold.countDown();
    }

    int refused() {
        return refused.get();
    }

    @Override
    public void append(String logId, List<LogLine> lines) {
        try {
            hold.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (down) {
            refused.incrementAndGet();
            throw new IllegalStateException("store is down");
        }
        logs.computeIfAbsent(logId, id -> new ArrayList<>()).addAll(lines);
    }

    @Override
    public List<LogLine> read(String logId) {
        return List.copyOf(logs.getOrDefault(logId, List.of()));
    }
}

package dev.cronhook.executor.warm;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Started sandboxes kept warm between invocations, by key (script version): a lease hands out an idle one (the
 * most recently used) or starts a new one; at most {@code perKeyLimit} leases per key at once; at most {@code
 * maxIdle} idle ones in all, the least recently used destroyed first; idle ones older than {@code idleTime} or
 * whose key has gone stale are destroyed. Thread-safe. Destroying happens off the caller's thread.
 */
public final class WarmPool<K, T> implements AutoCloseable {

    /** Starts a new sandbox for a key. */
    @FunctionalInterface
    public interface Starter<T> {
        T start() throws Exception;
    }

    private final int maxIdle;
    private final Duration idleTime;
    private final int perKeyLimit;
    private final Consumer<T> destroyer;
    private final Predicate<K> stale;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Idle<K, T>> idle = new ArrayDeque<>(); // oldest release first
    private final Map<K, Semaphore> permits = new ConcurrentHashMap<>();
    private final ExecutorService destroying = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread reaper;
    private volatile boolean closed;

    private record Idle<K, T>(K key, T value, long since) {}

    public WarmPool(
            int maxIdle, Duration idleTime, int perKeyLimit, Consumer<T> destroyer, Predicate<K> stale, Clock clock) {
        if (maxIdle < 0) throw new IllegalArgumentException("maxIdle must not be negative");
        if (perKeyLimit < 1) throw new IllegalArgumentException("perKeyLimit must be at least 1");
        this.maxIdle = maxIdle;
        this.idleTime = idleTime;
        this.perKeyLimit = perKeyLimit;
        this.destroyer = destroyer;
        this.stale = stale;
        this.clock = clock;
        long every = Math.clamp(idleTime.toMillis() / 4, 50, 5000);
        this.reaper = Thread.ofVirtual().name("warm-pool-reaper").start(() -> reapEvery(every));
    }

    /** A sandbox in use; release it exactly once. */
    public final class Lease {
        private final K key;
        private final T value;
        private final boolean warm;
        private boolean released;

        private Lease(K key, T value, boolean warm) {
            this.key = key;
            this.value = value;
            this.warm = warm;
        }

        public T value() {
            return value;
        }

        /** Whether the sandbox had served before this lease. */
        public boolean warm() {
            return warm;
        }

        /** Returns the sandbox to the pool if {@code reusable}, else destroys it. */
        public void release(boolean reusable) {
            if (released) return;
            released = true;
            try {
                if (reusable && !closed && !stale.test(key) && maxIdle > 0) {
                    keepIdle(key, value);
                } else {
                    destroy(value);
                }
            } finally {
                permits(key).release();
            }
        }
    }

    /** Takes an idle sandbox for the key or starts one; blocks while the key has {@code perKeyLimit} leases out. */
    public Lease acquire(K key, Starter<T> starter) throws Exception {
        if (closed) throw new IllegalStateException("the warm pool is closed");
        var semaphore = permits(key);
        semaphore.acquire();
        try {
            T warm = takeIdle(key);
            if (warm != null) return new Lease(key, warm, true);
            return new Lease(key, starter.start(), false);
        } catch (Exception | Error e) {
            semaphore.release();
            throw e;
        }
    }

    /**
     * An idle sandbox for the key, leased without waiting: null when the key has {@code perKeyLimit} leases out or
     * no idle sandbox (then {@link #acquire} starts one, which takes time).
     */
    public Lease tryAcquireIdle(K key) {
        if (closed) return null;
        var semaphore = permits(key);
        if (!semaphore.tryAcquire()) return null;
        T warm = takeIdle(key);
        if (warm == null) {
            semaphore.release();
            return null;
        }
        return new Lease(key, warm, true);
    }

    /** Destroys the idle sandboxes whose key matches (busy ones go when released, if {@code stale} says so). */
    public void evictIf(Predicate<K> which) {
        List<T> out = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<Idle<K, T>> it = idle.iterator(); it.hasNext(); ) {
                var i = it.next();
                if (which.test(i.key())) {
                    it.remove();
                    out.add(i.value());
                }
            }
        } finally {
            lock.unlock();
        }
        out.forEach(this::destroy);
    }

    public int idleCount() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    private Semaphore permits(K key) {
        return permits.computeIfAbsent(key, k -> new Semaphore(perKeyLimit));
    }

    private T takeIdle(K key) {
        lock.lock();
        try {
            for (Iterator<Idle<K, T>> it = idle.descendingIterator(); it.hasNext(); ) {
                var i = it.next();
                if (i.key().equals(key)) {
                    it.remove();
                    return i.value();
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void keepIdle(K key, T value) {
        T evicted = null;
        lock.lock();
        try {
            idle.addLast(new Idle<>(key, value, clock.millis()));
            if (idle.size() > maxIdle) evicted = idle.pollFirst().value();
        } finally {
            lock.unlock();
        }
        if (evicted != null) destroy(evicted);
    }

    private void reapEvery(long millis) {
        while (!closed) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            long cutoff = clock.millis() - idleTime.toMillis();
            List<T> out = new ArrayList<>();
            lock.lock();
            try {
                while (!idle.isEmpty() && idle.peekFirst().since() <= cutoff) {
                    out.add(idle.pollFirst().value());
                }
            } finally {
                lock.unlock();
            }
            out.forEach(this::destroy);
        }
    }

    private void destroy(T value) {
        try {
            destroying.execute(() -> destroyer.accept(value));
        } catch (RuntimeException e) {
            destroyer.accept(value); // the executor is shut down: destroy on this thread
        }
    }

    /** Destroys every idle sandbox and waits (bounded) for destruction to finish; leases out are destroyed on release. */
    @Override
    public void close() {
        closed = true;
        reaper.interrupt();
        evictIf(k -> true);
        destroying.shutdown();
        try {
            destroying.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

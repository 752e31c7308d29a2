package dev.cronhook.executor.logs;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.log.LogStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships log lines to a {@link LogStore} from a background virtual thread, so a script's printing never waits on the
 * store. Thread-safe. Lines of one log reach the store in the order they were offered; when the bounded buffer is full
 * a line is dropped and counted against its log instead.
 */
public final class LogShipper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogShipper.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    // wake up now and then during a linger to see whether the round is full
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * How the shipper behaves: {@code capacity} lines buffered across all logs, at most {@code maxBatch} lines taken
     * from the buffer per round, how long a round waits for more lines after the first ({@code linger}; cut short by
     * a full round, {@code flush} and {@code close}), at most {@code parallelAppends} logs appended at the same time,
     * the backoff between attempts while the store fails, and how long {@code close()} keeps trying before it counts
     * what is left as lost.
     */
    public record Settings(
            int capacity, int maxBatch, Duration linger, int parallelAppends, Backoff retry, Duration closeTimeout) {

        public Settings {
            if (capacity < 1 || maxBatch < 1 || parallelAppends < 1) {
                throw new IllegalArgumentException("capacity, maxBatch and parallelAppends must be positive");
            }
            Objects.requireNonNull(linger, "linger");
            Objects.requireNonNull(retry, "retry");
            Objects.requireNonNull(closeTimeout, "closeTimeout");
        }

        /**
         * 100,000 lines buffered, rounds of up to 20,000 lines gathered for up to 50 ms, 16 logs at a time, retries
         * from 100 ms to 5 s, 10 s to drain on close.
         */
        public static Settings defaults() {
            return new Settings(
                    100_000,
                    20_000,
                    Duration.ofMillis(50),
                    16,
                    new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5)),
                    Duration.ofSeconds(10));
        }

        public Settings withLinger(Duration linger) {
            return new Settings(capacity, maxBatch, linger, parallelAppends, retry, closeTimeout);
        }

        public Settings withCapacity(int capacity) {
            return new Settings(capacity, maxBatch, linger, parallelAppends, retry, closeTimeout);
        }

        public Settings withRetry(Backoff retry) {
            return new Settings(capacity, maxBatch, linger, parallelAppends, retry, closeTimeout);
        }

        public Settings withCloseTimeout(Duration closeTimeout) {
            return new Settings(capacity, maxBatch, linger, parallelAppends, retry, closeTimeout);
        }
    }

    private final LogStore store;
    private final Settings settings;
    private final ArrayBlockingQueue<Entry> buffer;
    private final ConcurrentHashMap<String, Log> logs = new ConcurrentHashMap<>();
    private final Thread drainer;
    private final Object closeLock = new Object();
    private volatile boolean closing;
    private volatile long closeDeadline;
    private final Semaphore parallelAppends;
    private volatile boolean storeDown;
    private volatile boolean flushRequested;

    private LogShipper(LogStore store, Settings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.buffer = new ArrayBlockingQueue<>(settings.capacity());
        this.parallelAppends = new Semaphore(settings.parallelAppends());
        this.drainer = Thread.ofVirtual().name("log-shipper").unstarted(this::drain);
    }

    /** Starts a shipper that drains into {@code store}. */
    public static LogShipper start(LogStore store, Settings settings) {
        var shipper = new LogShipper(store, settings);
        shipper.drainer.start();
        return shipper;
    }

    /** Starts a shipper with {@link Settings#defaults()}. */
    public static LogShipper start(LogStore store) {
        return start(store, Settings.defaults());
    }

    /**
     * Buffers a line for shipping and returns at once: true when buffered, false when the buffer was full (or the
     * shipper closed) and the line was dropped and counted in {@link #lost(String)}.
     */
    public boolean offer(String logId, LogLine line) {
        Objects.requireNonNull(line, "line");
        Log log = logOf(logId);
        if (!closing && buffer.offer(new Entry(log, line))) {
            log.accepted.incrementAndGet();
            return true;
        }
        log.lost.incrementAndGet();
        return false;
    }

    /** How many lines of a log were dropped: the buffer was full, or {@code close()} could not store them in time. */
    public long lost(String logId) {
        Log log = logs.get(logId);
        return log == null ? 0 : log.lost.get();
    }

    /**
     * Waits until every line of a log offered before this call is stored or counted lost; false when the timeout
     * passed first (the lines stay buffered and keep being shipped) or the waiting thread was interrupted.
     */
    public boolean flush(String logId, Duration timeout) {
        Log log = logs.get(logId);
        if (log == null) {
            return true;
        }
        long target = log.accepted.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        flushRequested = true;
        LockSupport.unpark(drainer);
        synchronized (log) {
            while (log.settled < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(log, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Forgets the counts of a finished log. Call it once the run's lost lines are reported: the shipper would otherwise
     * remember every log it ever saw.
     */
    public void forget(String logId) {
        logs.remove(logId);
    }

    /**
     * Stops taking lines and ships what is buffered, trying for at most {@link Settings#closeTimeout()}; lines it
     * could not store by then are counted lost.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closing) {
                return;
            }
            closeDeadline = System.nanoTime() + settings.closeTimeout().toNanos();
            closing = true;
        }
        LockSupport.unpark(drainer);
        try {
            // a store call that hangs past the deadline is the store client's timeout to end, not ours
            if (!drainer.join(settings.closeTimeout().plusSeconds(1))) {
                LOG.warn(
                        "log shipper did not finish within {}; {} lines left behind",
                        settings.closeTimeout(),
                        buffer.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // an offer that raced with close may have slipped in after the drainer's last look
        var leftovers = new ArrayList<Entry>();
        buffer.drainTo(leftovers);
        leftovers.forEach(entry -> entry.log().settle(0, 1));
    }

    private Log logOf(String logId) {
        Log log = logs.get(Objects.requireNonNull(logId, "logId"));
        return log != null ? log : logs.computeIfAbsent(logId, Log::new);
    }

    private void drain() {
        var batch = new ArrayList<Entry>(Math.min(settings.maxBatch(), 16_384));
        while (!(closing && buffer.isEmpty())) {
            Entry first;
            try {
                // the timeout lets the loop notice close() while nothing is being offered
                first = buffer.poll(POLL_NANOS, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                // nobody but the JVM interrupts this thread; keep draining, close() decides when to stop
                continue;
            }
            if (first == null) {
                continue;
            }
            batch.add(first);
            gather(batch);
            ship(batch);
            batch.clear();
        }
    }

    /**
     * Fills a round up to maxBatch, waiting up to the linger for more lines: fewer, fuller appends cost the store (and
     * CloudWatch's request quota) less per line.
     */
    private void gather(List<Entry> batch) {
        long deadline = System.nanoTime() + settings.linger().toNanos();
        while (true) {
            buffer.drainTo(batch, settings.maxBatch() - batch.size());
            long left = deadline - System.nanoTime();
            if (flushRequested) {
                // whoever flushes is waiting for lines that are in this round or the buffer: no lingering
                flushRequested = false;
                return;
            }
            if (batch.size() >= settings.maxBatch() || left <= 0 || closing) {
                return;
            }
            // flush() and close() unpark this thread
            LockSupport.parkNanos(this, Math.min(left, MAX_PARK_NANOS));
        }
    }

    private void ship(List<Entry> batch) {
        Map<Log, List<LogLine>> byLog = new LinkedHashMap<>();
        for (Entry entry : batch) {
            byLog.computeIfAbsent(entry.log(), log -> new ArrayList<>()).add(entry.line());
        }
        if (byLog.size() == 1) {
            byLog.forEach(this::appendUntilStored);
            return;
        }
        // logs of different runs go to the store side by side, so that one round costs one store round trip, not one
        // per running script; lines of one log still go one append after another, in order
        try (var appends = Executors.newVirtualThreadPerTaskExecutor()) {
            byLog.forEach((log, lines) -> appends.execute(() -> {
                parallelAppends.acquireUninterruptibly();
                try {
                    appendUntilStored(log, lines);
                } finally {
                    parallelAppends.release();
                }
            }));
        }
    }

    private void appendUntilStored(Log log, List<LogLine> lines) {
        for (int retry = 1; ; retry++) {
            if (closing && System.nanoTime() - closeDeadline >= 0) {
                log.settle(0, lines.size());
                return;
            }
            try {
                store.append(log.id, lines);
                log.settle(lines.size(), 0);
                if (storeDown) {
                    storeDown = false;
                    LOG.info("log store takes lines again");
                }
                return;
            } catch (LogPartlyAppendedException e) {
                int stored = Math.clamp(e.stored(), 0, lines.size());
                log.settle(stored, 0);
                lines = lines.subList(stored, lines.size());
                if (lines.isEmpty()) {
                    return;
                }
                if (!storeDown) {
                    storeDown = true;
                    LOG.warn("log store took part of a batch; retrying the rest: {}", e.toString());
                }
            } catch (RuntimeException e) {
                if (!storeDown) {
                    storeDown = true;
                    LOG.warn("log store refused lines; buffering and retrying: {}", e.toString());
                }
            }
            pause(settings.retry().delayBefore(retry).toNanos());
        }
    }

    private void pause(long nanos) {
        if (closing) {
            nanos = Math.min(nanos, Math.max(0, closeDeadline - System.nanoTime()));
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            // see drain(): an interrupt does not stop shipping
        }
    }

    /** A buffered line and the log it belongs to. */
    private record Entry(Log log, LogLine line) {}

    /** The counts of one log; {@code settled} is guarded by the instance's monitor, which flush waits on. */
    private static final class Log {
        final String id;
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong lost = new AtomicLong();
        long settled;

        Log(String id) {
            this.id = id;
        }

        synchronized void settle(int stored, int dropped) {
            if (dropped > 0) {
                lost.addAndGet(dropped);
            }
            settled += stored + dropped;
            notifyAll();
        }
    }
}

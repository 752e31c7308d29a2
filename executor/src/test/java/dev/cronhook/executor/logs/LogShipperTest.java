package dev.cronhook.executor.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.log.LogStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link LogShipper} over in-memory stores that go down, hang or take part of a batch. */
class LogShipperTest {

    private static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final InMemoryLogStore store = new InMemoryLogStore();
    private LogShipper shipper;

    @AfterEach
    void stop() {
        store.release();
        store.up();
        if (shipper != null) {
            shipper.close();
        }
    }

    private LogShipper start(int capacity) {
        shipper = LogShipper.start(
                store,
                LogShipper.Settings.defaults()
                        .withCapacity(capacity)
                        .withRetry(new Backoff(Duration.ofMillis(1), Duration.ofMillis(10)))
                        .withCloseTimeout(Duration.ofMillis(500)));
        return shipper;
    }

    @Test
    void linesOfEachLogReachTheStoreInTheOrderOffered() {
        start(10_000);
        var expected = List.of(new ArrayList<LogLine>(), new ArrayList<LogLine>(), new ArrayList<LogLine>());
        for (int i = 0; i < 3_000; i++) {
            LogLine line = line(i);
            expected.get(i % 3).add(line);
            assertThat(shipper.offer("run/" + i % 3, line)).isTrue();
        }

        for (int log = 0; log < 3; log++) {
            assertThat(shipper.flush("run/" + log, PATIENCE)).isTrue();
            assertThat(store.read("run/" + log)).containsExactlyElementsOf(expected.get(log));
            assertThat(shipper.lost("run/" + log)).isZero();
        }
    }

    @Test
    void whileTheStoreIsDownLinesBufferUpToTheBoundAndTheOverflowIsCounted() {
        store.down();
        start(100);
        shipper.offer("run/1", line(0));
        // the shipper now holds line 0 and retries it; the buffer behind it is empty
        await().atMost(PATIENCE).until(() -> store.refused() >= 2);

        var accepted = new ArrayList<LogLine>(List.of(line(0)));
        int dropped = 0;
        for (int i = 1; i <= 250; i++) {
            if (shipper.offer("run/1", line(i))) {
                accepted.add(line(i));
            } else {
                dropped++;
            }
        }

        assertThat(accepted).hasSize(101).containsExactlyElementsOf(lines(0, 101));
        assertThat(dropped).isEqualTo(150);
        assertThat(shipper.lost("run/1")).isEqualTo(150);
        assertThat(shipper.flush("run/1", Duration.ofMillis(50))).isFalse();

        store.up();

        assertThat(shipper.flush("run/1", PATIENCE)).isTrue();
        assertThat(store.read("run/1")).containsExactlyElementsOf(accepted);
        assertThat(shipper.lost("run/1")).isEqualTo(150);
    }

    @Test
    void aFullBufferCountsLostLinesAgainstTheirOwnLog() {
        store.down();
        start(10);
        shipper.offer("run/a", line(0));
        await().atMost(PATIENCE).until(() -> store.refused() >= 1);
        for (int i = 1; i <= 10; i++) {
            shipper.offer("run/a", line(i));
        }

        shipper.offer("run/b", line(11));
        shipper.offer("run/b", line(12));

        assertThat(shipper.lost("run/a")).isZero();
        assertThat(shipper.lost("run/b")).isEqualTo(2);
        assertThat(shipper.lost("run/never")).isZero();
    }

    @Test
    @Timeout(30)
    void offerNeverWaitsForAStoreThatHangs() {
        store.hold();
        start(1_000);

        int accepted = 0;
        for (int i = 0; i < 5_000; i++) {
            accepted += shipper.offer("run/h", line(i)) ? 1 : 0;
        }

        assertThat(accepted).isBetween(1_000, 5_000 - 1);
        assertThat(shipper.lost("run/h")).isEqualTo(5_000 - accepted);
    }

    @Test
    void flushWaitsOnlyForTheLinesOfItsOwnLog() {
        start(1_000);
        for (int i = 0; i < 100; i++) {
            shipper.offer("run/x", line(i));
        }

        assertThat(shipper.flush("run/x", PATIENCE)).isTrue();
        assertThat(store.read("run/x")).hasSize(100);
        assertThat(shipper.flush("run/unknown", Duration.ZERO)).isTrue();
    }

    @Test
    void closeShipsWhatIsBuffered() {
        store.hold();
        start(10_000);
        for (int i = 0; i < 2_000; i++) {
            shipper.offer("run/c", line(i));
        }
        store.release();

        shipper.close();

        assertThat(store.read("run/c")).containsExactlyElementsOf(lines(0, 2_000));
        assertThat(shipper.lost("run/c")).isZero();
    }

    @Test
    void closeCountsWhatItCouldNotStoreInTimeAsLost() {
        store.down();
        start(100);
        for (int i = 0; i < 10; i++) {
            shipper.offer("run/d", line(i));
        }

        shipper.close();

        assertThat(shipper.lost("run/d")).isEqualTo(10);
        assertThat(shipper.flush("run/d", Duration.ZERO)).isTrue();
        assertThat(shipper.offer("run/d", line(10))).isFalse();
        assertThat(shipper.lost("run/d")).isEqualTo(11);
    }

    @Test
    void aForgottenLogHasNoCounts() {
        store.down();
        start(1);
        shipper.offer("run/f", line(0));
        await().atMost(PATIENCE).until(() -> store.refused() >= 1);
        shipper.offer("run/f", line(1));
        shipper.offer("run/f", line(2));
        assertThat(shipper.lost("run/f")).isEqualTo(1);

        shipper.forget("run/f");

        assertThat(shipper.lost("run/f")).isZero();
    }

    @Test
    void logsOfDifferentRunsAreAppendedSideBySide() {
        var firstRoundStarted = new CountDownLatch(1);
        var firstRoundHeld = new CountDownLatch(1);
        var bothInTheStore = new CyclicBarrier(2);
        var attempts = new AtomicInteger();
        LogStore sideBySide = new LogStore() {
            @Override
            public void append(String logId, List<LogLine> lines) {
                try {
                    if (logId.equals("run/first")) {
                        firstRoundStarted.countDown();
                        firstRoundHeld.await();
                        return;
                    }
                    attempts.incrementAndGet();
                    // sequential appends would leave each waiting here alone until the barrier gives up
                    bothInTheStore.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public List<LogLine> read(String logId) {
                return List.of();
            }
        };
        shipper = LogShipper.start(sideBySide);
        shipper.offer("run/first", line(0));
        await().atMost(PATIENCE).until(() -> firstRoundStarted.getCount() == 0);
        shipper.offer("run/a", line(1));
        shipper.offer("run/b", line(2));
        firstRoundHeld.countDown();

        assertThat(shipper.flush("run/a", PATIENCE)).isTrue();
        assertThat(shipper.flush("run/b", PATIENCE)).isTrue();
        assertThat(attempts).hasValue(2);
    }

    @Test
    void aRetryAfterAPartlyStoredAppendSendsOnlyTheRest() {
        var stored = new ArrayList<LogLine>();
        var largeAppends = new AtomicInteger();
        var allOffered = new CountDownLatch(1);
        LogStore halfThenFail = new LogStore() {
            @Override
            public synchronized void append(String logId, List<LogLine> lines) {
                try {
                    allOffered.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                if (lines.size() > 1 && largeAppends.getAndIncrement() == 0) {
                    int half = lines.size() / 2;
                    stored.addAll(lines.subList(0, half));
                    throw new LogPartlyAppendedException(half, new IllegalStateException("throttled"));
                }
                stored.addAll(lines);
            }

            @Override
            public synchronized List<LogLine> read(String logId) {
                return List.copyOf(stored);
            }
        };
        shipper = LogShipper.start(
                halfThenFail,
                LogShipper.Settings.defaults().withRetry(new Backoff(Duration.ofMillis(1), Duration.ofMillis(10))));
        for (int i = 0; i < 1_000; i++) {
            shipper.offer("run/p", line(i));
        }
        allOffered.countDown();

        assertThat(shipper.flush("run/p", PATIENCE)).isTrue();
        assertThat(largeAppends).hasValueGreaterThanOrEqualTo(2);
        assertThat(halfThenFail.read("run/p")).containsExactlyElementsOf(lines(0, 1_000));
    }

    @Test
    void flushAndCloseDoNotWaitOutALongLinger() {
        shipper = LogShipper.start(store, LogShipper.Settings.defaults().withLinger(Duration.ofMinutes(5)));
        shipper.offer("run/l", line(0));

        assertThat(shipper.flush("run/l", PATIENCE)).isTrue();

        shipper.offer("run/l", line(1));
        shipper.offer("run/l", line(2));
        shipper.close();

        assertThat(store.read("run/l")).containsExactlyElementsOf(lines(0, 3));
        assertThat(shipper.lost("run/l")).isZero();
    }

    private static LogLine line(int i) {
        return new LogLine(T0.plusMillis(i), i % 2 == 0 ? "stdout" : "stderr", "line " + i);
    }

    private static List<LogLine> lines(int from, int to) {
        var lines = new ArrayList<LogLine>();
        for (int i = from; i < to; i++) {
            lines.add(line(i));
        }
        return lines;
    }
}

package dev.cronhook.executor.warm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WarmPoolTest {
    record Key(String script, int version) {}

    private final AtomicInteger started = new AtomicInteger();
    private final List<String> destroyed = new CopyOnWriteArrayList<>();
    private final Set<Key> stale = ConcurrentHashMap.newKeySet();
    private WarmPool<Key, String> pool;

    private WarmPool<Key, String> pool(int maxIdle, Duration idle, int perKey) {
        pool = new WarmPool<>(maxIdle, idle, perKey, 2, destroyed::add, stale::contains, Clock.systemUTC());
        return pool;
    }

    /** A pool whose values weigh their length, keeping at most {@code maxWeight} idle (and 100 in count). */
    private WarmPool<Key, String> weighedPool(long maxWeight) {
        return fullPool(100, 2, String::length, maxWeight, WarmPool.BusyStart.NONE);
    }

    private WarmPool<Key, String> fullPool(
            int maxIdle,
            int perKey,
            java.util.function.ToLongFunction<String> weigher,
            long maxWeight,
            WarmPool.BusyStart busyStart) {
        pool = new WarmPool<>(
                maxIdle,
                Duration.ofMinutes(1),
                perKey,
                2,
                destroyed::add,
                stale::contains,
                Clock.systemUTC(),
                weigher,
                maxWeight,
                busyStart);
        return pool;
    }

    private String start(Key key) {
        return key.script() + "@" + key.version() + "#" + started.incrementAndGet();
    }

    @AfterEach
    void close() {
        if (pool != null) pool.close(); // a test of the wait alone makes no pool
    }

    @Test
    void aReleasedSandboxServesTheNextLeaseOfItsKey() throws Exception {
        var pool = pool(4, Duration.ofMinutes(1), 2);
        var key = new Key("a", 1);
        var first = pool.acquire(key, () -> start(key));
        first.release(true);

        var second = pool.acquire(key, () -> start(key));

        assertThat(second.warm()).isTrue();
        assertThat(second.value()).isEqualTo(first.value());
        assertThat(started).hasValue(1);
    }

    @Test
    void aLeaseTakesTheIdleSandboxItPrefersElseTheMostRecentlyUsed() throws Exception {
        var pool = pool(4, Duration.ofMinutes(1), 4);
        var key = new Key("tenant", 0);
        var one = pool.acquire(key, () -> start(key));
        var two = pool.acquire(key, () -> start(key));
        one.release(true);
        two.release(true);

        var preferred = pool.acquire(key, () -> start(key), value -> value.equals(one.value()));
        var any = pool.tryAcquireIdle(key, value -> false);

        assertThat(preferred.value())
                .as("the preferred one, though not the most recent")
                .isEqualTo(one.value());
        assertThat(any.value()).as("none preferred: the most recently used").isEqualTo(two.value());
        assertThat(started).hasValue(2);
    }

    @Test
    void anUnreusableSandboxIsDestroyedNotKept() throws Exception {
        var pool = pool(4, Duration.ofMinutes(1), 2);
        var key = new Key("a", 1);
        var lease = pool.acquire(key, () -> start(key));
        lease.release(false);

        await().until(() -> destroyed.contains(lease.value()));
        assertThat(pool.acquire(key, () -> start(key)).warm()).isFalse();
    }

    @Test
    void withNoIdleSandboxesKeptEveryLeaseGetsANewOne() throws Exception {
        var pool = pool(0, Duration.ofMinutes(1), 2);
        var key = new Key("a", 1);
        var first = pool.acquire(key, () -> start(key));
        first.release(true);
        var second = pool.acquire(key, () -> start(key));

        assertThat(second.warm()).isFalse();
        assertThat(second.value()).isNotEqualTo(first.value());
        await().until(() -> destroyed.contains(first.value()));
    }

    @Test
    void theLeastRecentlyUsedIdleSandboxIsEvictedBeyondTheMaximum() throws Exception {
        var pool = pool(2, Duration.ofMinutes(1), 2);
        var a = pool.acquire(new Key("a", 1), () -> "a");
        var b = pool.acquire(new Key("b", 1), () -> "b");
        var c = pool.acquire(new Key("c", 1), () -> "c");
        a.release(true);
        b.release(true);
        c.release(true);

        await().until(() -> destroyed.equals(List.of("a")));
        assertThat(pool.idleCount()).isEqualTo(2);
    }

    @Test
    void aLongMixOfCallsOverManyKeysHandsOutOnlyTheKeysOwnLiveSandboxesAndLosesNone() throws Exception {
        var pool = fullPool(20, 4, String::length, 400, WarmPool.BusyStart.NONE);
        var random = new java.util.Random(20261207);
        var keys = new ArrayList<Key>();
        for (int i = 0; i < 50; i++) keys.add(new Key("s" + i, i % 3));
        var out = new ArrayList<WarmPool<Key, String>.Lease>();
        var keyOf = new java.util.IdentityHashMap<WarmPool<Key, String>.Lease, Key>();
        var leased = new java.util.HashSet<String>();
        var perKey = new java.util.HashMap<Key, Integer>();

        for (int step = 0; step < 20_000; step++) {
            int what = random.nextInt(100);
            if (what < 55 || out.isEmpty()) {
                // a few hot keys with several sandboxes each, and many called now and then
                var key = keys.get(random.nextInt(random.nextInt(10) < 7 ? 3 : keys.size()));
                if (perKey.getOrDefault(key, 0) == 4) continue; // the key's limit: acquire would wait
                int wanted = random.nextInt(3);
                var lease = random.nextBoolean()
                        ? pool.acquire(key, () -> start(key), value -> value.hashCode() % 3 == wanted)
                        : pool.acquire(key, () -> start(key));
                assertThat(lease.value()).startsWith(key.script() + "@" + key.version() + "#");
                assertThat(leased.add(lease.value()))
                        .as("leased twice: " + lease.value())
                        .isTrue();
                assertThat(destroyed).doesNotContain(lease.value());
                out.add(lease);
                keyOf.put(lease, key);
                perKey.merge(key, 1, Integer::sum);
            } else if (what < 97) {
                var lease = out.remove(random.nextInt(out.size()));
                leased.remove(lease.value());
                perKey.merge(keyOf.remove(lease), -1, Integer::sum);
                lease.release(random.nextInt(20) != 0);
            } else {
                var gone = keys.get(random.nextInt(keys.size()));
                pool.evictIf(gone::equals);
            }
            assertThat(pool.idleCount()).isBetween(0, 20);
            assertThat(pool.idleWeight()).isBetween(0L, 400L);
        }
        for (var lease : out) lease.release(true);

        // every sandbox started is idle or destroyed, none twice
        await().until(() -> pool.idleCount() + destroyed.size() == started.get());
        assertThat(Set.copyOf(destroyed)).hasSize(destroyed.size());
        pool.evictIf(key -> true);
        await().until(() -> destroyed.size() == started.get());
        assertThat(pool.idleCount()).isZero();
        assertThat(pool.idleWeight()).isZero();
    }

    @Test
    void beyondTheMaximumAKeysSpareIdleSandboxGoesBeforeAnotherKeysOnlyOne() throws Exception {
        var pool = pool(3, Duration.ofMinutes(1), 2);
        var a = new Key("a", 1);
        var b = new Key("b", 1);
        var c = new Key("c", 1);
        // b's only sandbox is the least recently used; two runs of a overlapped, so a has two idle
        pool.acquire(b, () -> "b").release(true);
        var a1 = pool.acquire(a, () -> "a1");
        var a2 = pool.acquire(a, () -> "a2");
        a1.release(true);
        a2.release(true);
        pool.acquire(c, () -> "c").release(true);

        await().until(() -> destroyed.equals(List.of("a1")));
        assertThat(pool.idleCount()).isEqualTo(3);
        assertThat(pool.acquire(a, () -> "new a").warm()).isTrue();
        assertThat(pool.acquire(b, () -> "new b").warm()).isTrue();
        assertThat(pool.acquire(c, () -> "new c").warm()).isTrue();
    }

    /** Calls the keys in turn, one lease at a time, {@code rounds} times; how many leases found a warm sandbox. */
    private int callInTurn(WarmPool<Key, String> pool, List<Key> keys, int rounds) throws Exception {
        int warm = 0;
        for (int round = 0; round < rounds; round++) {
            for (var key : keys) {
                var lease = pool.acquire(key, () -> start(key));
                if (lease.warm()) warm++;
                lease.release(true);
            }
        }
        return warm;
    }

    @Test
    void withMoreKeysCalledInTurnThanThePoolHoldsItKeepsTheOnesItHasInsteadOfEvictingTheNextOneNeeded()
            throws Exception {
        var pool = pool(9, Duration.ofMinutes(1), 1);
        var keys = new ArrayList<Key>();
        for (int i = 0; i < 10; i++) keys.add(new Key("k" + i, 1));

        // the first two rounds fill the pool and learn the keys (a key called once is kept by recency only)
        callInTurn(pool, keys, 2);
        int warm = callInTurn(pool, keys, 8);

        // plain LRU would evict the sandbox the next call needs every time: 0 warm; kept, nine calls in ten are warm
        assertThat(warm).isEqualTo(8 * 9);
        assertThat(pool.idleCount()).isEqualTo(9);
    }

    @Test
    void aKeyCalledMoreOftenLatelyTakesThePlaceOfOneCalledLess() throws Exception {
        var pool = pool(9, Duration.ofMinutes(1), 1);
        var keys = new ArrayList<Key>();
        for (int i = 0; i < 10; i++) keys.add(new Key("k" + i, 1));
        callInTurn(pool, keys, 10); // k0..k8 kept, each called 10 times; k9 too, but not kept
        var k9 = keys.get(9);

        // the 11th call of k9 ties with k0's 10 (its own call not counted): k0 stays; the 12th outweighs it
        assertThat(callInTurn(pool, List.of(k9), 2)).isZero();
        assertThat(callInTurn(pool, List.of(k9), 1)).isOne();
        assertThat(callInTurn(pool, List.of(keys.get(0)), 1))
                .as("k0, the least recently used, gave way")
                .isZero();
    }

    /** {@code pool.acquire(key, starter)} on another thread: a call that may wait. */
    private static CompletableFuture<WarmPool<Key, String>.Lease> acquiring(
            WarmPool<Key, String> pool, Key key, WarmPool.Starter<String> starter) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return pool.acquire(key, starter);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A pool that waits {@code delay} for a busy sandbox of the key before starting another. */
    private WarmPool<Key, String> delayingPool(Duration delay) {
        return fullPool(10, 4, value -> 0, Long.MAX_VALUE, WarmPool.BusyStart.fixed(delay));
    }

    @Test
    void aCallThatFindsItsKeysSandboxBusyIsServedByItWhenItIsFreeWithinTheDelayAndNothingIsStarted() throws Exception {
        var pool = delayingPool(Duration.ofSeconds(10));
        var key = new Key("a", 1);
        var busy = pool.acquire(key, () -> start(key));
        var waiting = acquiring(pool, key, () -> start(key));
        Thread.sleep(200); // the second call is waiting
        busy.release(true);

        var served = waiting.get(5, TimeUnit.SECONDS);
        assertThat(served.value()).isEqualTo(busy.value());
        assertThat(served.warm()).isTrue();
        assertThat(started).as("no second sandbox started").hasValue(1);
        // a key with nothing busy starts at once, delay or not
        var other = new Key("b", 1);
        assertThat(acquiring(pool, other, () -> start(other))
                        .get(5, TimeUnit.SECONDS)
                        .warm())
                .isFalse();
    }

    @Test
    void aCallWhoseKeysSandboxesStayBusyPastTheDelayGetsOneStartedForIt() throws Exception {
        var pool = delayingPool(Duration.ofMillis(300));
        var key = new Key("a", 1);
        var busy = pool.acquire(key, () -> start(key));

        var second = pool.acquire(key, () -> start(key));

        assertThat(second.warm()).isFalse();
        assertThat(second.value()).isNotEqualTo(busy.value());
        assertThat(started).hasValue(2);
    }

    @Test
    void aCallWaitsForABusySandboxAsLongAsAStartHasTakenLatelyNotOnlyTheLeastWait() throws Exception {
        // starts take 3 s here: a call finding the key busy waits up to that (within 50 ms .. 60 s) for the busy one
        var pool = fullPool(
                10,
                4,
                value -> 0,
                Long.MAX_VALUE,
                new WarmPool.BusyStart(Duration.ofMillis(50), Duration.ofSeconds(60)));
        var key = new Key("a", 1);
        WarmPool.Starter<String> slowStart = () -> {
            var value = start(key);
            Thread.sleep(3_000);
            return value;
        };
        var busy = pool.acquire(key, slowStart);
        var waiting = acquiring(pool, key, slowStart);
        Thread.sleep(1_000); // well past the least wait, well within what a start takes
        assertThat(started)
                .as("nothing started for the waiting call after the least wait")
                .hasValue(1);
        busy.release(true);

        var served = waiting.get(5, TimeUnit.SECONDS);
        assertThat(served.value()).isEqualTo(busy.value());
        assertThat(started).as("no second sandbox started").hasValue(1);
    }

    @Test
    void theBusyStartWaitIsTheMeanOfRecentStartsWithinItsBounds() {
        var wait = new WarmPool.BusyStart(Duration.ofMillis(100), Duration.ofSeconds(2));
        assertThat(wait.millis(0)).as("no start measured yet").isEqualTo(100);
        assertThat(wait.millis(Duration.ofMillis(30).toNanos())).isEqualTo(100);
        assertThat(wait.millis(Duration.ofMillis(700).toNanos())).isEqualTo(700);
        assertThat(wait.millis(Duration.ofSeconds(9).toNanos())).isEqualTo(2_000);
        assertThat(WarmPool.BusyStart.NONE.millis(Duration.ofSeconds(9).toNanos()))
                .isZero();
        assertThatThrownBy(() -> new WarmPool.BusyStart(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idleSandboxesAreKeptByWhatTheyWeighNotOnlyByTheirCount() throws Exception {
        // each value weighs its length: "small" 5, "large-sandbox" 13; at most 20 idle in weight, 100 in count
        var pool = weighedPool(20);
        pool.acquire(new Key("a", 1), () -> "small").release(true);
        pool.acquire(new Key("b", 1), () -> "small").release(true);
        pool.acquire(new Key("c", 1), () -> "small").release(true);
        assertThat(pool.idleWeight()).isEqualTo(15);
        assertThat(destroyed).isEmpty();

        // 28 > 20: the least recently used go until what is idle weighs 20 or less
        pool.acquire(new Key("d", 1), () -> "large-sandbox").release(true);

        await().until(() -> destroyed.size() == 2);
        assertThat(pool.idleCount()).isEqualTo(2);
        assertThat(pool.idleWeight()).isEqualTo(18);
        assertThat(pool.acquire(new Key("c", 1), () -> "new").warm()).isTrue();
        assertThat(pool.acquire(new Key("d", 1), () -> "new").warm()).isTrue();
        // taken out of the pool, they weigh nothing in it
        assertThat(pool.idleWeight()).isZero();
    }

    @Test
    void aSandboxHeavierThanTheWholeBudgetIsNotKept() throws Exception {
        var pool = weighedPool(4);
        pool.acquire(new Key("a", 1), () -> "heavy").release(true);

        await().until(() -> destroyed.equals(List.of("heavy")));
        assertThat(pool.idleCount()).isZero();
        assertThat(pool.idleWeight()).isZero();
    }

    @Test
    void idleSandboxesExpireAfterTheIdleTime() throws Exception {
        var pool = pool(4, Duration.ofMillis(200), 2);
        pool.acquire(new Key("a", 1), () -> "a").release(true);

        await().atMost(Duration.ofSeconds(5)).until(() -> destroyed.contains("a"));
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void aKeyNeverHasMoreLeasesOutThanItsLimit() throws Exception {
        var pool = pool(4, Duration.ofMinutes(1), 1);
        var key = new Key("a", 1);
        var first = pool.acquire(key, () -> start(key));
        var secondTaken = new AtomicBoolean();
        var waiter = Thread.ofVirtual().start(() -> {
            try {
                pool.acquire(key, () -> start(key));
                secondTaken.set(true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Thread.sleep(200);
        assertThat(secondTaken).isFalse();
        first.release(true);
        waiter.join(Duration.ofSeconds(5));
        assertThat(secondTaken).isTrue();
        assertThat(started).hasValue(1);
    }

    @Test
    void staleKeysAreEvictedAndTheirBusySandboxesDestroyedOnRelease() throws Exception {
        var pool = pool(4, Duration.ofMinutes(1), 2);
        var old = new Key("a", 1);
        var idle = pool.acquire(old, () -> "idle");
        var busy = pool.acquire(old, () -> "busy");
        idle.release(true);

        stale.add(old);
        pool.evictIf(stale::contains);
        busy.release(true);

        await().until(() -> destroyed.containsAll(List.of("idle", "busy")));
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void aWaiterTakesTheFirstSandboxFreedRatherThanWaitForTheOneStartedForIt() throws Exception {
        var pool = pool(4, Duration.ofMinutes(1), 4);
        var key = new Key("a", 1);
        var first = pool.acquire(key, () -> start(key));
        var startAsked = new CountDownLatch(1);
        var slowStart = new CountDownLatch(1);
        var second = new CompletableFuture<WarmPool<Key, String>.Lease>();
        Thread.ofVirtual().start(() -> {
            try {
                second.complete(pool.acquire(key, () -> {
                    startAsked.countDown();
                    slowStart.await();
                    return start(key);
                }));
            } catch (Exception e) {
                second.completeExceptionally(e);
            }
        });
        assertThat(startAsked.await(5, TimeUnit.SECONDS)).isTrue();

        first.release(true);

        var lease = second.get(5, TimeUnit.SECONDS);
        assertThat(lease.value()).isEqualTo(first.value());
        assertThat(lease.warm()).isTrue();
        slowStart.countDown();
        // the sandbox started for the wait is kept for the next one
        await().until(() -> pool.idleCount() == 1);
        assertThat(started).hasValue(2);
    }

    @Test
    void aBurstOfWaitersStartsNoMoreThanTheMaximumAtOnceAndEveryWaiterIsServed() throws Exception {
        var pool = pool(16, Duration.ofMinutes(1), 8);
        var key = new Key("a", 1);
        var inFlight = new AtomicInteger();
        var mostAtOnce = new AtomicInteger();
        var gate = new Semaphore(0);
        WarmPool.Starter<String> starter = () -> {
            mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            gate.acquire();
            inFlight.decrementAndGet();
            return start(key);
        };
        var leases = new CopyOnWriteArrayList<String>();
        var waiters = new ArrayList<Thread>();
        for (int i = 0; i < 6; i++) {
            waiters.add(Thread.ofVirtual().start(() -> {
                try {
                    leases.add(pool.acquire(key, starter).value());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        await().until(() -> inFlight.get() == 2);
        Thread.sleep(100);
        assertThat(inFlight).hasValue(2);

        gate.release(6);
        for (var waiter : waiters) waiter.join(Duration.ofSeconds(5));

        assertThat(leases).hasSize(6).doesNotHaveDuplicates();
        assertThat(mostAtOnce).hasValue(2);
    }

    @Test
    void aFailedStartFailsTheWaiterWithTheStartersException() {
        var pool = pool(4, Duration.ofMinutes(1), 2);
        var key = new Key("a", 1);

        assertThatThrownBy(() -> pool.acquire(key, () -> {
                    throw new java.io.IOException("no such image");
                }))
                .isInstanceOf(java.io.IOException.class)
                .hasMessage("no such image");
    }

    @Test
    void aWaiterThatIsInterruptedHoldsNoLeaseAfterwards() throws Exception {
        var pool = pool(4, Duration.ofMinutes(1), 1);
        var key = new Key("a", 1);
        var first = pool.acquire(key, () -> start(key));
        var interrupted = new CompletableFuture<Throwable>();
        var waiter = Thread.ofVirtual().start(() -> {
            try {
                pool.acquire(key, () -> start(key));
            } catch (Exception e) {
                interrupted.complete(e);
            }
        });
        Thread.sleep(100);
        waiter.interrupt();
        assertThat(interrupted.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);

        first.release(true);

        // the key's one lease is free again: the next acquire gets the sandbox at once
        var next = pool.acquire(key, () -> start(key));
        assertThat(next.value()).isEqualTo(first.value());
        assertThat(started).hasValue(1);
    }

    @Test
    void closingThePoolFailsItsWaiters() throws Exception {
        var pool = pool(4, Duration.ofMinutes(1), 1);
        var key = new Key("a", 1);
        pool.acquire(key, () -> start(key));
        var failure = new CompletableFuture<Throwable>();
        Thread.ofVirtual().start(() -> {
            try {
                pool.acquire(key, () -> start(key));
            } catch (Exception e) {
                failure.complete(e);
            }
        });
        Thread.sleep(100);

        pool.close();

        assertThat(failure.get(5, TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}

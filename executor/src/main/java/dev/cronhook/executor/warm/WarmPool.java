package dev.cronhook.executor.warm;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Started sandboxes kept warm between invocations, by key (script version): a lease hands out an idle one (the
 * most recently used) or waits for the first one of its key to be free, whether one a lease gives back or one
 * started for the waiters; at most {@code perKeyLimit} leases per key at once, at most {@code maxStarting}
 * sandboxes of a key starting at once; at most {@code maxIdle} idle ones in all, and (given a weigher) idle ones
 * weighing at most {@code maxIdleWeight} together (their memory: the pool is sized by what its sandboxes hold, not
 * their count), a key's spare ones destroyed before any key's only one, and the least recently used first; idle ones
 * older than {@code idleTime} or whose key has gone stale are destroyed. Thread-safe. Starting, weighing and
 * destroying happen off the callers' threads or outside the pool's lock.
 *
 * <p>When the pool is full, a sandbox given back does not always get in: it displaces the sandbox that would go to
 * make room (a key's only one) only when its own key was called more often lately, its present call not counted, or
 * when the other's key was called at most once (then recency decides, as plain LRU). The calls of each key are
 * counted, and all counts halved every ten times as many calls as the pool holds sandboxes, so that old habits fade.
 * Why: with more keys called in turn than the pool holds (a thousand users' scripts called round-robin, a pool that
 * holds nine hundred), plain LRU evicts exactly the sandbox the next call needs, and every call starts one; keeping
 * the ones already there serves nine calls in ten warm (TinyLFU's admission, Einziger et al.).
 *
 * <p>Why waiters take the first free sandbox rather than the one started for them: a burst on a cold script would
 * otherwise make each of its first runs wait for a container of its own, all of them starting at once on the same
 * cores, while the first one up could have served them all a few milliseconds each.
 */
public final class WarmPool<K, T> implements AutoCloseable {
    /** The reaper's shortest sleep, so a pool with a very short idle time does not spin. */
    private static final long MIN_REAP_SLEEP_MILLIS = 50;

    /** Starts a new sandbox for a key. */
    @FunctionalInterface
    public interface Starter<T> {
        T start() throws Exception;
    }

    /**
     * How long a call that finds its key's sandboxes all busy waits for one of them before another is started: as
     * long as a start has taken lately (the pool's mean of its last starts), but at least {@code least} and at most
     * {@code most}. The rule of renting skis: a wait as long as a start at most doubles what starting at once would
     * have cost the caller, and spares the start whenever a busy sandbox is free first, which for a short script it
     * nearly always is. {@link #NONE} starts at once.
     */
    public record BusyStart(Duration least, Duration most) {
        public static final BusyStart NONE = new BusyStart(Duration.ZERO, Duration.ZERO);

        public BusyStart {
            if (least.isNegative() || most.compareTo(least) < 0) {
                throw new IllegalArgumentException("need 0 <= least <= most, got " + least + " and " + most);
            }
        }

        /** Always the same wait. */
        public static BusyStart fixed(Duration wait) {
            return new BusyStart(wait, wait);
        }

        /** The wait when starts have lately taken {@code startNanos} (0: none measured yet), in milliseconds. */
        long millis(long startNanos) {
            return Math.clamp(TimeUnit.NANOSECONDS.toMillis(startNanos), least.toMillis(), most.toMillis());
        }
    }

    private final int maxIdle;
    private final Duration idleTime;
    private final int perKeyLimit;
    private final int maxStarting;
    private final Consumer<T> destroyer;
    private final Predicate<K> stale;
    private final Clock clock;
    private final ToLongFunction<? super T> weigher;
    private final long maxIdleWeight;
    private final BusyStart busyStart;
    /** The mean wall time of the last starts (exponentially weighted, a fifth each), in nanoseconds; 0 before any. */
    private final AtomicLong startNanos = new AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    /** The idle sandboxes, oldest release first; guarded by the lock, as the three fields after it. */
    private final LinkedHashSet<Idle<K, T>> idle = new LinkedHashSet<>();
    /** The same by key, each key's oldest release first: a call looks at its key's only. */
    private final Map<K, ArrayDeque<Idle<K, T>>> idleByKey = new HashMap<>();
    /** How many keys have more than one sandbox idle (then {@link #victim} looks for the first of them). */
    private int keysWithSpare;

    private long idleWeight; // of the idle ones
    private final Map<K, Demand<T>> demands = new HashMap<>(); // keys with leases out, starts or waiters
    private final Map<K, Integer> calls = new HashMap<>(); // each key's calls lately, guarded by the lock
    private int callsSinceHalving; // guarded by the lock
    private final ExecutorService starting = Executors.newVirtualThreadPerTaskExecutor();
    private final ExecutorService destroying = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread reaper;
    private volatile boolean closed;

    /** An idle sandbox; equal only to itself (its value may be equal to another's). */
    private static final class Idle<K, T> {
        final K key;
        final T value;
        final long since;
        final long weight;

        Idle(K key, T value, long since, long weight) {
            this.key = key;
            this.value = value;
            this.since = since;
            this.weight = weight;
        }
    }

    /** A sandbox handed to a waiter, and whether it was up before the wait (see {@link Lease#warm}). */
    private record Handed<T>(T value, boolean warm) {}

    /** A key's leases out, starts under way and waiters (oldest first), guarded by the pool's lock. */
    private static final class Demand<T> {
        int leased;
        int starting;
        final ArrayDeque<CompletableFuture<Handed<T>>> waiters = new ArrayDeque<>();
        Starter<T> starter;
        boolean startDeferred; // a look at the waiters is due after the busy-start wait

        boolean none() {
            return leased == 0 && starting == 0 && waiters.isEmpty();
        }
    }

    public WarmPool(
            int maxIdle,
            Duration idleTime,
            int perKeyLimit,
            int maxStarting,
            Consumer<T> destroyer,
            Predicate<K> stale,
            Clock clock) {
        this(
                maxIdle,
                idleTime,
                perKeyLimit,
                maxStarting,
                destroyer,
                stale,
                clock,
                value -> 0,
                Long.MAX_VALUE,
                BusyStart.NONE);
    }

    /**
     * As above, keeping idle sandboxes that weigh ({@code weigher}, e.g. the memory a sandbox holds, asked as it
     * becomes idle) at most {@code maxIdleWeight} together; and while a key has sandboxes busy, a call that finds none
     * free waits for one of them as {@code busyStart} says before a new one is started for it. Why: a busy sandbox of
     * a short script is free again in a millisecond, a new one costs a third of a second of CPU; with calls of many
     * keys overlapping now and then (64 connections round-robin over 100 users' scripts), starting at once, or after
     * a fixed 100 ms, started a second and third container for most keys, two or three a second, and on a saturated
     * machine (where a start takes seconds, and so does a call in a queue) the starts took half the machine.
     */
    public WarmPool(
            int maxIdle,
            Duration idleTime,
            int perKeyLimit,
            int maxStarting,
            Consumer<T> destroyer,
            Predicate<K> stale,
            Clock clock,
            ToLongFunction<? super T> weigher,
            long maxIdleWeight,
            BusyStart busyStart) {
        if (maxIdle < 0) throw new IllegalArgumentException("maxIdle must not be negative");
        if (perKeyLimit < 1) throw new IllegalArgumentException("perKeyLimit must be at least 1");
        if (maxStarting < 1) throw new IllegalArgumentException("maxStarting must be at least 1");
        if (maxIdleWeight < 0) throw new IllegalArgumentException("maxIdleWeight must not be negative");
        this.weigher = weigher;
        this.maxIdleWeight = maxIdleWeight;
        this.busyStart = busyStart;
        this.maxIdle = maxIdle;
        this.idleTime = idleTime;
        this.perKeyLimit = perKeyLimit;
        this.maxStarting = maxStarting;
        this.destroyer = destroyer;
        this.stale = stale;
        this.clock = clock;
        this.reaper = Thread.ofVirtual().name("warm-pool-reaper").start(this::reap);
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

        /** Whether the sandbox was up before this lease asked for it (false: it was started for this lease's wait). */
        public boolean warm() {
            return warm;
        }

        /** Returns the sandbox to the pool (to the key's oldest waiter, if any) if {@code reusable}, else destroys it. */
        public void release(boolean reusable) {
            if (released) return;
            released = true;
            free(key, value, reusable, true);
        }
    }

    /**
     * Takes an idle sandbox for the key, or waits for the first one of the key that is free: one a lease gives back
     * or one started for the key's waiters (with {@code starter}). Blocks while the key has {@code perKeyLimit}
     * leases out. Throws what a start threw when the start made for this call failed.
     */
    public Lease acquire(K key, Starter<T> starter) throws Exception {
        return acquire(key, starter, null);
    }

    /**
     * As {@link #acquire(Object, Starter)}, taking among the key's idle sandboxes one that {@code preferred} accepts
     * when there is one (the most recently used of them), else the most recently used; null prefers none.
     */
    public Lease acquire(K key, Starter<T> starter, Predicate<? super T> preferred) throws Exception {
        var waiter = new CompletableFuture<Handed<T>>();
        lock.lock();
        try {
            // checked under the lock: close() fails the waiters it finds there, so none is left waiting after it
            if (closed) throw new IllegalStateException("the warm pool is closed");
            var demand = demands.computeIfAbsent(key, k -> new Demand<>());
            demand.starter = starter;
            called(key);
            var idleLease = leaseIdle(key, demand, preferred);
            if (idleLease != null) return idleLease;
            demand.waiters.addLast(waiter);
            startIfWanted(key, demand);
        } finally {
            lock.unlock();
        }
        try {
            var handed = waiter.get();
            return new Lease(key, handed.value(), handed.warm());
        } catch (ExecutionException e) {
            throw switch (e.getCause()) {
                case Exception cause -> cause;
                case Error error -> throw error;
                default -> e;
            };
        } catch (InterruptedException e) {
            abandon(key, waiter);
            throw e;
        }
    }

    /**
     * An idle sandbox for the key, leased without waiting: null when the key has {@code perKeyLimit} leases out or
     * no idle sandbox (then {@link #acquire} waits for one, which takes time).
     */
    public Lease tryAcquireIdle(K key) {
        return tryAcquireIdle(key, null);
    }

    /** As {@link #tryAcquireIdle(Object)}, preferring what {@code preferred} accepts, as {@link #acquire} does. */
    public Lease tryAcquireIdle(K key, Predicate<? super T> preferred) {
        if (closed) return null;
        lock.lock();
        try {
            var demand = demands.computeIfAbsent(key, k -> new Demand<>());
            var lease = leaseIdle(key, demand, preferred);
            // counted only when it leases: otherwise the caller asks again with acquire, which counts the call
            if (lease == null) forgetIfNone(key, demand);
            else called(key);
            return lease;
        } finally {
            lock.unlock();
        }
    }

    /**
     * An idle sandbox of the key as a lease, or null: none idle, the key at its limit, or runs already waiting for
     * the key (they go first). Under the lock.
     */
    private Lease leaseIdle(K key, Demand<T> demand, Predicate<? super T> preferred) {
        if (demand.leased >= perKeyLimit || !demand.waiters.isEmpty()) return null;
        T warm = takeIdle(key, preferred);
        if (warm == null) return null;
        demand.leased++;
        return new Lease(key, warm, true);
    }

    /** Destroys the idle sandboxes whose key matches (busy ones go when released, if {@code stale} says so). */
    public void evictIf(Predicate<K> which) {
        List<T> out = new ArrayList<>();
        lock.lock();
        try {
            for (var key : List.copyOf(idleByKey.keySet())) {
                if (!which.test(key)) continue;
                for (var i : List.copyOf(idleByKey.get(key))) {
                    removeIdle(i);
                    out.add(i.value);
                }
            }
        } finally {
            lock.unlock();
        }
        out.forEach(this::destroy);
    }

    /** What the idle sandboxes weigh together (0 without a weigher). */
    public long idleWeight() {
        lock.lock();
        try {
            return idleWeight;
        } finally {
            lock.unlock();
        }
    }

    public int idleCount() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts sandboxes for the key's waiters that no start under way will serve, within the key's limits. Under
     * the lock.
     */
    private void startIfWanted(K key, Demand<T> demand) {
        long wait = busyStart.millis(startNanos.get());
        if (wait > 0 && demand.leased > 0) {
            // one of the busy ones may serve the waiters: look again after the wait
            if (!demand.startDeferred && demand.starting < demand.waiters.size() && !closed) {
                demand.startDeferred = true;
                try {
                    CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS, starting)
                            .execute(() -> startDeferred(key, demand));
                } catch (RuntimeException e) { // shut down: the pool is closing
                    demand.startDeferred = false;
                }
            }
            return;
        }
        startNow(key, demand);
    }

    /** The delayed look of {@link #startIfWanted}: starts for the waiters still waiting, busy sandboxes or not. */
    private void startDeferred(K key, Demand<T> demand) {
        lock.lock();
        try {
            demand.startDeferred = false;
            if (demands.get(key) != demand) return; // the key's demand ended meanwhile
            startNow(key, demand);
        } finally {
            lock.unlock();
        }
    }

    /** Starts sandboxes for the key's waiters that no start under way will serve, within the limits. Under the lock. */
    private void startNow(K key, Demand<T> demand) {
        while (!closed
                && demand.starter != null
                && demand.starting < demand.waiters.size()
                && demand.starting < maxStarting
                && demand.leased + demand.starting < perKeyLimit) {
            demand.starting++;
            var starter = demand.starter;
            try {
                starting.execute(() -> start(key, starter));
            } catch (RuntimeException e) { // shut down: the pool is closing
                demand.starting--;
                return;
            }
        }
    }

    /** One start, on its own thread: its sandbox goes to the key's oldest waiter, its failure too. */
    private void start(K key, Starter<T> starter) {
        T value;
        try {
            long began = System.nanoTime();
            value = starter.start();
            long took = System.nanoTime() - began;
            startNanos.accumulateAndGet(took, (mean, last) -> mean == 0 ? last : mean + (last - mean) / 5);
        } catch (Throwable e) {
            lock.lock();
            try {
                var demand = demands.get(key);
                demand.starting--;
                var waiter = demand.waiters.pollFirst();
                if (waiter != null) waiter.completeExceptionally(e);
                startIfWanted(key, demand);
                forgetIfNone(key, demand);
            } finally {
                lock.unlock();
            }
            return;
        }
        free(key, value, true, false);
    }

    /**
     * A sandbox of the key that is free, given back by a lease ({@code served}) or just started: to the key's
     * oldest waiter, else idle, or destroyed when it cannot be reused or kept. A served sandbox is reused only
     * where one may be kept ({@code maxIdle} 0: every lease gets a new one); a new one always goes to a waiter.
     */
    private void free(K key, T value, boolean reusable, boolean served) {
        List<T> evicted = List.of();
        boolean keepable = maxIdle > 0 && !stale.test(key);
        boolean reuse = reusable && !closed && (!served || keepable);
        boolean destroyIt = !reuse;
        // weighed before the lock (it may read the sandbox's counters); unused when a waiter takes it
        long weight = reuse && keepable ? Math.max(0, weigher.applyAsLong(value)) : 0;
        lock.lock();
        try {
            var demand = demands.get(key);
            if (served) demand.leased--;
            else demand.starting--;
            var waiter = reuse ? demand.waiters.pollFirst() : null;
            if (waiter != null) {
                demand.leased++;
                waiter.complete(new Handed<>(value, served));
            } else if (reuse && keepable) {
                var candidate = new Idle<>(key, value, clock.millis(), weight);
                addIdle(candidate);
                evicted = evictOverLimits(candidate);
            } else {
                destroyIt = true;
            }
            startIfWanted(key, demand);
            forgetIfNone(key, demand);
        } finally {
            lock.unlock();
        }
        if (destroyIt) destroy(value);
        evicted.forEach(this::destroy);
    }

    /**
     * Takes out the idle sandboxes to destroy while there are more than {@code maxIdle} or they weigh too much: each
     * time the one {@link #victim} names, unless the {@code candidate} just added is not {@link #admits admitted} in
     * its place (then the candidate goes, and what was there stays). Under the lock.
     */
    private List<T> evictOverLimits(Idle<K, T> candidate) {
        List<T> out = List.of();
        while (!idle.isEmpty() && (idle.size() > maxIdle || idleWeight > maxIdleWeight)) {
            if (out.isEmpty()) out = new ArrayList<>();
            var victim = victim();
            var going = victim.spare()
                            || victim.idle() == candidate
                            || candidate == null
                            || admits(candidate.key, victim.idle().key)
                    ? victim.idle()
                    : candidate;
            if (going == candidate) candidate = null;
            removeIdle(going);
            out.add(going.value);
        }
        return out;
    }

    /** The idle sandbox {@link #victim} names, and whether its key has another one idle. */
    private record Victim<K, T>(Idle<K, T> idle, boolean spare) {}

    /**
     * The idle sandbox to destroy when there are too many: the least recently used of a key that has another one
     * idle, else the least recently used of all. With more hot keys than the pool holds two each (scripts that each
     * run every second, each needing a second sandbox only when two of its runs overlap), plain LRU would keep some
     * keys' spare sandboxes and destroy other keys' only ones, each of them to be started cold a moment later.
     * Under the lock.
     */
    private Victim<K, T> victim() {
        if (keysWithSpare > 0) {
            for (var i : idle) {
                if (idleByKey.get(i.key).size() > 1) return new Victim<>(i, true);
            }
        }
        return new Victim<>(idle.getFirst(), false);
    }

    /** Adds a sandbox given back to the idle ones. Under the lock. */
    private void addIdle(Idle<K, T> i) {
        idle.addLast(i);
        var ofKey = idleByKey.computeIfAbsent(i.key, k -> new ArrayDeque<>(2));
        ofKey.addLast(i);
        if (ofKey.size() == 2) keysWithSpare++;
        idleWeight += i.weight;
    }

    /** Takes a sandbox out of the idle ones (it is leased or destroyed). Under the lock. */
    private void removeIdle(Idle<K, T> i) {
        idle.remove(i);
        var ofKey = idleByKey.get(i.key);
        // a key's sandboxes leave from either end nearly always (the most recent leased, the oldest reaped)
        if (ofKey.peekLast() == i) ofKey.pollLast();
        else if (ofKey.peekFirst() == i) ofKey.pollFirst();
        else ofKey.removeFirstOccurrence(i);
        if (ofKey.size() == 1) keysWithSpare--;
        else if (ofKey.isEmpty()) idleByKey.remove(i.key);
        idleWeight -= i.weight;
    }

    /**
     * Whether a sandbox of {@code candidate}'s key, just given back to a full pool, takes the place of {@code
     * victim}'s only one: when the candidate's key was called more often lately than the victim's, the call just
     * served not counted (it brought the candidate here, and says nothing yet about its key's next call), or when
     * the victim's key was called at most once (nothing says it is wanted again: recency decides). Under the lock.
     */
    private boolean admits(K candidate, K victim) {
        int victimCalls = calls.getOrDefault(victim, 0);
        int candidateCallsBefore = calls.getOrDefault(candidate, 1) - 1;
        return victimCalls <= 1 || candidateCallsBefore > victimCalls;
    }

    /**
     * Counts a call of the key; every ten times as many calls as the pool holds idle sandboxes (at least 1,000) all
     * counts are halved and the keys at zero forgotten, so the counts follow what is called now. Under the lock.
     */
    private void called(K key) {
        calls.merge(key, 1, Integer::sum);
        if (++callsSinceHalving < Math.max(1_000, 10 * idle.size())) return;
        callsSinceHalving = 0;
        calls.replaceAll((k, n) -> n / 2);
        calls.values().removeIf(n -> n == 0);
    }

    /** A waiter that stopped waiting: leaves the queue, or gives back what it was handed as it stopped. */
    private void abandon(K key, CompletableFuture<Handed<T>> waiter) {
        lock.lock();
        try {
            var demand = demands.get(key);
            if (!waiter.isDone() && demand.waiters.remove(waiter)) {
                waiter.cancel(false);
                forgetIfNone(key, demand);
                return;
            }
        } finally {
            lock.unlock();
        }
        // handed a sandbox just as it stopped waiting: that sandbox is free again
        if (waiter.state() == Future.State.SUCCESS) free(key, waiter.resultNow().value(), true, true);
    }

    private void forgetIfNone(K key, Demand<T> demand) {
        if (demand.none()) demands.remove(key);
    }

    /** The most recently used idle sandbox of the key that {@code preferred} accepts, else of the key, or null. */
    private T takeIdle(K key, Predicate<? super T> preferred) {
        var ofKey = idleByKey.get(key);
        if (ofKey == null) return null;
        Idle<K, T> taken = ofKey.peekLast();
        if (preferred != null) {
            for (Iterator<Idle<K, T>> it = ofKey.descendingIterator(); it.hasNext(); ) {
                var i = it.next();
                if (preferred.test(i.value)) {
                    taken = i;
                    break;
                }
            }
        }
        removeIdle(taken);
        return taken.value;
    }

    /**
     * Destroys each idle sandbox once it has been idle for {@code idleTime}, sleeping in between until the oldest is
     * due (the idle list is in the order sandboxes came back). With nothing idle it sleeps a whole {@code idleTime}:
     * whatever comes back meanwhile is due later than that, so nothing needs to wake it, and an idle pool wakes once
     * in {@code idleTime}.
     */
    private void reap() {
        long sleep = idleTime.toMillis();
        while (!closed) {
            try {
                Thread.sleep(Math.max(MIN_REAP_SLEEP_MILLIS, sleep));
            } catch (InterruptedException e) {
                return;
            }
            long now = clock.millis();
            long cutoff = now - idleTime.toMillis();
            List<T> out = new ArrayList<>();
            lock.lock();
            try {
                while (!idle.isEmpty() && idle.getFirst().since <= cutoff) {
                    var old = idle.getFirst();
                    removeIdle(old);
                    out.add(old.value);
                }
                sleep = idle.isEmpty() ? idleTime.toMillis() : idle.getFirst().since - cutoff;
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

    /**
     * Destroys every idle sandbox, fails the waiters, and waits (bounded) for starts and destruction to finish;
     * leases out are destroyed on release, sandboxes still starting as they come up.
     */
    @Override
    public void close() {
        closed = true;
        reaper.interrupt();
        lock.lock();
        try {
            for (var demand : demands.values()) {
                for (var waiter : demand.waiters) {
                    waiter.completeExceptionally(new IllegalStateException("the warm pool is closed"));
                }
                demand.waiters.clear();
            }
        } finally {
            lock.unlock();
        }
        evictIf(k -> true);
        starting.shutdown();
        destroying.shutdown();
        try {
            starting.awaitTermination(30, TimeUnit.SECONDS);
            destroying.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

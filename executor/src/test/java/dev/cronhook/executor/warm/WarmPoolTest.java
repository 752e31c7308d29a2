package dev.cronhook.executor.warm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
        pool = new WarmPool<>(maxIdle, idle, perKey, destroyed::add, stale::contains, Clock.systemUTC());
        return pool;
    }

    private String start(Key key) {
        return key.script() + "@" + key.version() + "#" + started.incrementAndGet();
    }

    @AfterEach
    void close() {
        pool.close();
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
    void anUnreusableSandboxIsDestroyedNotKept() throws Exception {
        var pool = pool(4, Duration.ofMinutes(1), 2);
        var key = new Key("a", 1);
        var lease = pool.acquire(key, () -> start(key));
        lease.release(false);

        await().until(() -> destroyed.contains(lease.value()));
        assertThat(pool.acquire(key, () -> start(key)).warm()).isFalse();
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
}

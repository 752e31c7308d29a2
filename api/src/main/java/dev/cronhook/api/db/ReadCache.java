package dev.cronhook.api.db;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A small cache of database reads on the hot path (webhook calls), each entry kept for a short time (Caffeine). A
 * read of a live entry answers at once on the caller's thread; a miss loads on a virtual thread, so a caller on the
 * event loop never waits for the database. Every write that could change what it holds calls {@link
 * ReadCaches#clearAll()}, so this replica never serves a stale entry after its own writes; other replicas may, for at
 * most the entry's lifetime. A load that fails is not kept.
 */
public final class ReadCache<K, V> {
    private static final Executor LOADS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("read-cache-", 0).factory());

    private final AsyncCache<K, V> cache;

    ReadCache(Duration ttl, int maxEntries) {
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(maxEntries)
                .executor(LOADS)
                .buildAsync();
    }

    /** The entry for {@code key}, loaded with {@code load} (which may block) when there is no live one. */
    public CompletableFuture<V> get(K key, Function<K, V> load) {
        return cache.get(key, (k, executor) -> CompletableFuture.supplyAsync(() -> load.apply(k), executor));
    }

    /** As {@link #get}, waiting for the load: for callers that may block. */
    public V getNow(K key, Function<K, V> load) {
        try {
            return get(key, load).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    public void clear() {
        cache.synchronous().invalidateAll();
    }
}

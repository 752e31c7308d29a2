package dev.cronhook.api.db;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A small cache of database reads on the hot path (webhook calls), each entry kept for a short time. Every
 * write that could change what it holds calls {@link ReadCaches#clearAll()}, so this replica never serves a
 * stale entry after its own writes; other replicas may, for at most the entry's lifetime.
 */
public final class ReadCache<K, V> {
    private record Entry<V>(V value, long expiresAt) {}

    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int maxEntries;

    public ReadCache(Duration ttl, int maxEntries) {
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
    }

    public V get(K key, Function<K, V> load) {
        long now = System.nanoTime();
        var e = entries.get(key);
        if (e != null && e.expiresAt() - now > 0) return e.value();
        V value = load.apply(key);
        // a full cache is emptied rather than tracked for eviction: this is a shield for bursts, not a store
        if (entries.size() >= maxEntries) entries.clear();
        entries.put(key, new Entry<>(value, now + ttlNanos));
        return value;
    }

    /** The value if this cache holds a live entry for the key, else null; never loads. */
    public V peek(K key) {
        var e = entries.get(key);
        return e != null && e.expiresAt() - System.nanoTime() > 0 ? e.value() : null;
    }

    public void clear() {
        entries.clear();
    }
}

package dev.cronhook.api.db;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.stereotype.Component;

/** Makes the {@link ReadCache}s of this process and empties them all on any write that could stale them. */
@Component
public class ReadCaches {
    private final List<ReadCache<?, ?>> caches = new CopyOnWriteArrayList<>();

    public <K, V> ReadCache<K, V> create(Duration ttl, int maxEntries) {
        var cache = new ReadCache<K, V>(ttl, maxEntries);
        caches.add(cache);
        return cache;
    }

    public void clearAll() {
        caches.forEach(ReadCache::clear);
    }
}

package dev.cronhook.executor.worker;

import dev.cronhook.executor.runtime.LogStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Live logs within one process: each run's lines, in order. */
final class InMemoryLiveLogs implements LiveLogs {
    private final Map<UUID, List<String>> lines = new ConcurrentHashMap<>();

    @Override
    public Writer open(UUID runId) {
        var mine = lines.computeIfAbsent(runId, k -> new CopyOnWriteArrayList<>());
        return new Writer() {
            @Override
            public void line(Instant time, LogStream stream, String line) {
                mine.add(stream.wireName() + ": " + line);
            }

            @Override
            public CompletableFuture<Void> flushAsync() {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void flush() {}
        };
    }

    List<String> of(UUID runId) {
        return lines.getOrDefault(runId, List.of());
    }
}

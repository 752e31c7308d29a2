package dev.cronhook.core.run.memory;

import dev.cronhook.core.run.RunSignals;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Cancel signals within one process, for unit tests of what uses them. */
public final class InMemoryRunSignals implements RunSignals {
    private final Set<UUID> cancelled = ConcurrentHashMap.newKeySet();
    private final CopyOnWriteArrayList<Consumer<UUID>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void cancel(UUID runId) {
        cancelled.add(runId);
        listeners.forEach(l -> l.accept(runId));
    }

    @Override
    public boolean cancelled(UUID runId) {
        return cancelled.contains(runId);
    }

    @Override
    public AutoCloseable onCancel(Consumer<UUID> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}

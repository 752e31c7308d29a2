package dev.cronhook.executor.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A cancel signal for one invocation; hooks registered after cancel() run at once. Thread-safe. */
public final class Cancellation {
    private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    public void cancel() {
        if (cancelled) return;
        cancelled = true;
        hooks.forEach(Runnable::run);
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Runs the hook on cancel (at once if already cancelled); closing the result removes it. */
    public AutoCloseable onCancel(Runnable hook) {
        hooks.add(hook);
        if (cancelled && hooks.remove(hook)) hook.run();
        return () -> hooks.remove(hook);
    }
}

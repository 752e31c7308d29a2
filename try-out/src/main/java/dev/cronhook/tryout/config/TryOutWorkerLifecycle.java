package dev.cronhook.tryout.config;

import dev.cronhook.tryout.worker.TryOutWorker;
import org.springframework.context.SmartLifecycle;

/** Starts the try-out worker with the context and stops it first on shutdown, letting try-outs in hand finish. */
public final class TryOutWorkerLifecycle implements SmartLifecycle {
    private final TryOutWorker worker;
    private volatile boolean running;

    public TryOutWorkerLifecycle(TryOutWorker worker) {
        this.worker = worker;
    }

    @Override
    public void start() {
        worker.start();
        running = true;
    }

    @Override
    public void stop() {
        worker.close();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    public TryOutWorker worker() {
        return worker;
    }
}

package dev.cronhook.executor.config;

import dev.cronhook.executor.worker.RunWorker;
import org.springframework.context.SmartLifecycle;

/** Starts the run worker with the context and stops it first on shutdown, handing back runs it cannot finish. */
public final class RunWorkerLifecycle implements SmartLifecycle {
    private final RunWorker worker;
    private volatile boolean running;

    public RunWorkerLifecycle(RunWorker worker) {
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

    public RunWorker worker() {
        return worker;
    }
}

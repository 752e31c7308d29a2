package dev.cronhook.builder.config;

import dev.cronhook.builder.worker.BuildWorker;
import org.springframework.context.SmartLifecycle;

/** Starts the {@link BuildWorker} with the context and stops it gracefully before the Redis connection closes. */
public class BuildWorkerLifecycle implements SmartLifecycle {
    private final BuildWorker worker;

    public BuildWorkerLifecycle(BuildWorker worker) {
        this.worker = worker;
    }

    @Override
    public void start() {
        worker.start();
    }

    @Override
    public void stop() {
        worker.close();
    }

    @Override
    public boolean isRunning() {
        return worker.isRunning();
    }

    public BuildWorker worker() {
        return worker;
    }
}

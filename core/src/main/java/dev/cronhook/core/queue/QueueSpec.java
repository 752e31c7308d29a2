package dev.cronhook.core.queue;

import dev.cronhook.core.build.BuildRequest;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.tryout.TryOutRequest;

/**
 * A queue of the platform, named once: its name (a Redis stream's key), the consumer group that takes its messages
 * and their type. Producers and consumers open it through a {@link Queues}.
 */
public record QueueSpec<T>(String name, String group, Class<T> type) {
    public static final QueueSpec<BuildRequest> BUILDS =
            new QueueSpec<>("cronhook:builds", "builders", BuildRequest.class);
    public static final QueueSpec<BuildResult> BUILD_RESULTS =
            new QueueSpec<>("cronhook:build-results", "api", BuildResult.class);
    public static final QueueSpec<RunRequest> RUNS = new QueueSpec<>("cronhook:runs", "executors", RunRequest.class);
    public static final QueueSpec<RunResult> RUN_RESULTS =
            new QueueSpec<>("cronhook:run-results", "api", RunResult.class);
    public static final QueueSpec<TryOutRequest> TRY_OUTS =
            new QueueSpec<>("cronhook:try-outs", "try-out", TryOutRequest.class);
}

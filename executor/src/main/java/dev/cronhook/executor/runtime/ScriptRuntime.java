package dev.cronhook.executor.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Runs one invocation of a script version in isolation (as far as the adapter can isolate) and reports how it
 * ended. Thread-safe: invocations run concurrently, each in its own sandbox. Blocking. A script's own failure,
 * timeout, memory exhaustion or cancellation is an {@link Outcome}, never an exception; an exception means the
 * runtime itself could not run it (engine unreachable) and the run may be retried elsewhere.
 */
public interface ScriptRuntime extends AutoCloseable {

    Outcome run(Invocation invocation, LogSink logs);

    /**
     * Runs one invocation without tying up the calling thread (which must not wait for it); the future completes as
     * {@link #run} returns, or exceptionally as it throws. This default runs {@link #run} on a virtual thread; a
     * runtime that can answer from a warm sandbox without blocking anyone does so.
     */
    default CompletableFuture<Outcome> runAsync(Invocation invocation, LogSink logs) {
        return CompletableFuture.supplyAsync(() -> run(invocation, logs), BLOCKING_RUNS);
    }

    /** Where the default {@link #runAsync} runs {@link #run}: a virtual thread each. */
    Executor BLOCKING_RUNS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("script-run-", 0).factory());

    /** Stops every sandbox this runtime keeps. */
    @Override
    void close();
}

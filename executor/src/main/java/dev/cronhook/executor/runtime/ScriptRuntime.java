package dev.cronhook.executor.runtime;

/**
 * Runs one invocation of a script version in isolation (as far as the adapter can isolate) and reports how it
 * ended. Thread-safe: invocations run concurrently, each in its own sandbox. Blocking. A script's own failure,
 * timeout, memory exhaustion or cancellation is an {@link Outcome}, never an exception; an exception means the
 * runtime itself could not run it (engine unreachable) and the run may be retried elsewhere.
 */
public interface ScriptRuntime extends AutoCloseable {

    Outcome run(Invocation invocation, LogSink logs);

    /** Stops every sandbox this runtime keeps. */
    @Override
    void close();
}

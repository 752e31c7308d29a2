package dev.cronhook.executor.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A runtime whose every call is of a tenant: each script its own (so a contract written for sandboxes of a version's
 * own runs unchanged, every call through the shared sandboxes' path: code placed into a running sandbox, the frame
 * naming its script), or one for all (calls of several scripts take turns in one sandbox).
 */
public final class TenantCalls implements ScriptRuntime {
    private final ScriptRuntime runtime;
    private final String tenant;

    /** Each script its own tenant. */
    public TenantCalls(ScriptRuntime runtime) {
        this(runtime, null);
    }

    /** Every call of {@code tenant}'s (null: each script its own tenant). */
    public TenantCalls(ScriptRuntime runtime, String tenant) {
        this.runtime = runtime;
        this.tenant = tenant;
    }

    public ScriptRuntime runtime() {
        return runtime;
    }

    private Invocation ofTenant(Invocation invocation) {
        return invocation.withTenant(tenant != null ? tenant : "tenant-of-" + invocation.scriptId());
    }

    @Override
    public Outcome run(Invocation invocation, LogSink logs) {
        return runtime.run(ofTenant(invocation), logs);
    }

    @Override
    public CompletableFuture<Outcome> runAsync(Invocation invocation, LogSink logs) {
        return runtime.runAsync(ofTenant(invocation), logs);
    }

    @Override
    public void close() {
        runtime.close();
    }
}

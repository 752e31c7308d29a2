package dev.cronhook.executor.runtime;

import dev.cronhook.core.run.RunStatus;
import dev.cronhook.executor.warm.WarmPool;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ScriptRuntime} that runs the harness in sandboxes an adapter starts, keeping them warm between
 * invocations of the same script version: adapters say only how to start a sandbox.
 */
public abstract class HarnessScriptRuntime implements ScriptRuntime {
    private static final Logger log = LoggerFactory.getLogger(HarnessScriptRuntime.class);

    /** How many sandboxes to keep warm and for how long. */
    public record WarmSettings(int maxWarm, Duration idleTime, int perScriptLimit) {
        public static WarmSettings defaults() {
            return new WarmSettings(32, Duration.ofMinutes(5), 8);
        }
    }

    /**
     * Sandboxes of one script version starting at once: a start is mostly CPU (the engine, the runtime, node
     * loading the script), so more starts than cores only slow down the first one that could serve a burst.
     */
    private static final int STARTS_AT_ONCE = Math.max(2, Runtime.getRuntime().availableProcessors());

    protected final RuntimeLimits limits;
    private final Map<UUID, Integer> latestVersion = new ConcurrentHashMap<>();
    private final Map<UUID, Integer> retiredUpTo = new ConcurrentHashMap<>();
    private final WarmPool<SandboxSpec, HarnessChannel> pool;

    protected HarnessScriptRuntime(RuntimeLimits limits, WarmSettings warm) {
        this.limits = limits;
        this.pool = new WarmPool<>(
                warm.maxWarm(),
                warm.idleTime(),
                warm.perScriptLimit(),
                STARTS_AT_ONCE,
                channel -> channel.sandbox().destroy(),
                this::isStale,
                Clock.systemUTC());
    }

    /** Starts a harness for the spec, its output going to {@code output}; returns once it runs. */
    protected abstract Sandbox start(SandboxSpec spec, Sandbox.SandboxOutput output) throws Exception;

    @Override
    public Outcome run(Invocation invocation, LogSink logs) {
        var spec = spec(invocation);
        noteVersion(spec);
        if (invocation.cancellation().isCancelled()) return Outcome.of(RunStatus.CANCELLED, "cancelled", null, false);
        WarmPool<SandboxSpec, HarnessChannel>.Lease lease;
        try {
            lease = pool.acquire(spec, () -> startChannel(spec));
        } catch (ImageUnavailableException e) {
            return Outcome.failed(e.getMessage(), null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a sandbox", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not start a sandbox for " + spec.image() + ": " + e, e);
        }
        Outcome outcome = null;
        try {
            var channel = lease.value();
            outcome = channel.invoke(invocation, logs);
            return outcome.warm(lease.warm());
        } finally {
            lease.release(outcome != null && lease.value().reusable());
        }
    }

    /**
     * With a warm sandbox idle for the version, the invocation goes to it at once and completes on the thread that
     * reads its result; otherwise (a sandbox to start, or the version's limit of sandboxes busy) it runs as {@link
     * #run} on a virtual thread.
     */
    @Override
    public CompletableFuture<Outcome> runAsync(Invocation invocation, LogSink logs) {
        var spec = spec(invocation);
        noteVersion(spec);
        if (invocation.cancellation().isCancelled()) {
            return CompletableFuture.completedFuture(Outcome.of(RunStatus.CANCELLED, "cancelled", null, false));
        }
        var lease = pool.tryAcquireIdle(spec);
        if (lease == null) return ScriptRuntime.super.runAsync(invocation, logs);
        var channel = lease.value();
        CompletableFuture<Outcome> invoked;
        try {
            invoked = channel.invokeAsync(invocation, logs);
        } catch (RuntimeException e) {
            lease.release(false);
            throw e;
        }
        return invoked.whenComplete((outcome, e) -> lease.release(outcome != null && channel.reusable()))
                .thenApply(outcome -> outcome.warm(true));
    }

    private SandboxSpec spec(Invocation invocation) {
        return new SandboxSpec(
                invocation.scriptId(),
                invocation.version(),
                invocation.image(),
                limits.memoryMb(invocation.memoryMb()));
    }

    private HarnessChannel startChannel(SandboxSpec spec) throws Exception {
        var channel = new HarnessChannel(limits);
        channel.attach(start(spec, channel));
        return channel;
    }

    /** A newer version of the same script retires the older version's warm sandboxes. */
    private void noteVersion(SandboxSpec spec) {
        int latest = latestVersion.merge(spec.scriptId(), spec.version(), Math::max);
        if (latest != spec.version()) return;
        Integer retired = retiredUpTo.put(spec.scriptId(), latest);
        if (retired != null && retired < latest) pool.evictIf(this::isStale);
    }

    private boolean isStale(SandboxSpec spec) {
        return spec.version() < latestVersion.getOrDefault(spec.scriptId(), spec.version());
    }

    public int warmCount() {
        return pool.idleCount();
    }

    @Override
    public void close() {
        log.debug("closing runtime: destroying warm sandboxes");
        pool.close();
    }
}

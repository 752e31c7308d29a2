package dev.cronhook.executor.runtime;

import dev.cronhook.core.run.RunStatus;
import dev.cronhook.executor.warm.WarmPool;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
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
    /** Blank sandboxes started ahead of time, by what they are for, how many of each to keep ready and are starting. */
    private final Map<BlankSpec, Deque<HarnessChannel>> blanks = new ConcurrentHashMap<>();

    private final Map<BlankSpec, Integer> blanksWanted = new ConcurrentHashMap<>();
    private final Map<BlankSpec, AtomicInteger> blanksStarting = new ConcurrentHashMap<>();
    private final ArrayDeque<BlankSpec> recentTrees = new ArrayDeque<>();
    private volatile boolean closed;

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

    /**
     * What a blank sandbox is started for: its memory and, for code with dependencies, the {@code node_modules} tree
     * linked in before it starts and the packages its harness loads ahead of the code (null and empty for none).
     */
    public record BlankSpec(int memoryMb, Path nodeModules, List<String> packages) {
        public BlankSpec {
            packages = packages == null ? List.of() : List.copyOf(packages);
        }

        /** A blank for any code of this memory size: nothing linked in ahead. */
        static BlankSpec plain(int memoryMb) {
            return new BlankSpec(memoryMb, null, List.of());
        }

        static BlankSpec of(int memoryMb, ScriptFiles code) {
            return code.nodeModules() == null
                    ? plain(memoryMb)
                    : new BlankSpec(memoryMb, code.nodeModules(), code.packages());
        }

        public boolean hasDependencies() {
            return nodeModules != null;
        }
    }

    /** Dependency trees for which one blank sandbox is kept ready, the most recently tried last. */
    private static final int DEPENDENCY_TREES_KEPT = 4;

    /**
     * Starts a sandbox that has no code yet: its harness loads the code {@link #place placed} into it when its first
     * call comes. Adapters that cannot start one say so here.
     */
    protected Sandbox startBlank(BlankSpec spec, Sandbox.SandboxOutput output) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot start blank sandboxes");
    }

    /** Puts code into a blank sandbox before its first call. */
    protected void place(Sandbox sandbox, ScriptFiles code) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot start blank sandboxes");
    }

    /**
     * Keeps {@code count} blank sandboxes of {@code memoryMb} started ahead of time (in the background, now and after
     * each one is used), so {@link #runOnce} does not wait for a sandbox to start. Code with dependencies also finds,
     * after its first call, one started for its dependency tree with its packages loaded, for the last few trees.
     */
    public void keepBlanksReady(int memoryMb, int count) {
        var spec = BlankSpec.plain(memoryMb);
        blanksWanted.put(spec, Math.max(0, count));
        replenish(spec);
    }

    /**
     * Runs code that has no image of its own once: in a blank sandbox started ahead of time when one is ready (one
     * started for its dependency tree, else a plain one; else one started now), which receives the code before the
     * call and is destroyed after it. A blank sandbox serves exactly one call: never another call, another user's or
     * the same one's.
     */
    public Outcome runOnce(Invocation invocation, ScriptFiles code, LogSink logs) {
        int memoryMb = limits.memoryMb(invocation.memoryMb());
        if (invocation.cancellation().isCancelled()) return Outcome.of(RunStatus.CANCELLED, "cancelled", null, false);
        var spec = BlankSpec.of(memoryMb, code);
        var plain = BlankSpec.plain(memoryMb);
        HarnessChannel channel = takeBlank(spec);
        if (channel == null && spec.hasDependencies()) channel = takeBlank(plain);
        try {
            if (channel == null) channel = startBlankChannel(plain);
            place(channel.sandbox(), code);
            return channel.invoke(invocation, logs).warm(false);
        } catch (ImageUnavailableException e) {
            return Outcome.failed(e.getMessage(), null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting a sandbox", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not start a blank sandbox: " + e, e);
        } finally {
            if (channel != null) {
                var used = channel.sandbox();
                // removing its files and container is no business of the caller's
                Thread.ofVirtual().name("blank-destroy").start(used::destroy);
            }
            if (spec.hasDependencies()) keepOneFor(spec);
            replenish(plain);
        }
    }

    /** Keeps one blank sandbox ready for this dependency tree, and for the last few trees tried only. */
    private void keepOneFor(BlankSpec spec) {
        BlankSpec dropped = null;
        synchronized (recentTrees) {
            recentTrees.remove(spec);
            recentTrees.addLast(spec);
            if (recentTrees.size() > DEPENDENCY_TREES_KEPT) dropped = recentTrees.removeFirst();
            blanksWanted.put(spec, 1);
            if (dropped != null) blanksWanted.remove(dropped);
        }
        if (dropped != null) {
            // a start of its under way sees it is no longer wanted and destroys what it started
            blanksStarting.remove(dropped);
            var ready = blanks.remove(dropped);
            if (ready != null) ready.forEach(c -> c.sandbox().destroy());
        }
        replenish(spec);
    }

    private HarnessChannel takeBlank(BlankSpec spec) {
        var ready = blanks.get(spec);
        if (ready == null) return null;
        HarnessChannel channel;
        while ((channel = ready.pollFirst()) != null) {
            if (channel.isAlive()) return channel;
            channel.sandbox().destroy();
        }
        return null;
    }

    private HarnessChannel startBlankChannel(BlankSpec spec) throws Exception {
        var channel = new HarnessChannel(limits);
        channel.attach(startBlank(spec, channel));
        return channel;
    }

    /** Starts, in the background, as many blank sandboxes as are missing from the number wanted. */
    private void replenish(BlankSpec spec) {
        var ready = blanks.computeIfAbsent(spec, m -> new ConcurrentLinkedDeque<>());
        var starting = blanksStarting.computeIfAbsent(spec, m -> new AtomicInteger());
        while (!closed) {
            int now = starting.get();
            if (ready.size() + now >= blanksWanted.getOrDefault(spec, 0)) return;
            if (!starting.compareAndSet(now, now + 1)) continue;
            Thread.ofVirtual().name("blank-start").start(() -> {
                try {
                    var channel = startBlankChannel(spec);
                    ready.addLast(channel);
                    // closed meanwhile, or its tree no longer among the last few tried
                    if (closed || !blanksWanted.containsKey(spec)) {
                        ready.remove(channel);
                        channel.sandbox().destroy();
                    }
                } catch (Exception e) {
                    log.warn("could not start a blank sandbox ahead of time: {}", e.toString());
                } finally {
                    starting.decrementAndGet();
                }
            });
        }
    }

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

    /** Blank sandboxes of {@code memoryMb} started and waiting for code. */
    public int blanksReady(int memoryMb) {
        return blanksReady(BlankSpec.plain(memoryMb));
    }

    /** Blank sandboxes started for {@code code}'s dependency tree (or plain ones, for code without) and waiting. */
    public int blanksReady(int memoryMb, ScriptFiles code) {
        return blanksReady(BlankSpec.of(memoryMb, code));
    }

    private int blanksReady(BlankSpec spec) {
        var ready = blanks.get(spec);
        return ready == null ? 0 : ready.size();
    }

    public int warmCount() {
        return pool.idleCount();
    }

    @Override
    public void close() {
        log.debug("closing runtime: destroying warm sandboxes");
        closed = true;
        pool.close();
        for (var ready : blanks.values()) {
            HarnessChannel channel;
            while ((channel = ready.pollFirst()) != null) channel.sandbox().destroy();
        }
    }
}

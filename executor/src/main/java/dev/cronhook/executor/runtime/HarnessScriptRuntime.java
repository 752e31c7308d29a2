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

    /**
     * How many sandboxes to keep warm and for how long: of a script version's own, at most {@code maxWarm} idle and
     * {@code perScriptLimit} busy per version; shared by a tenant's scripts, idle ones holding at most {@code
     * maxSharedBytes} of memory together and at most {@code maxShared} of them, {@code perTenantLimit} busy per
     * tenant, each retired once it has loaded {@code scriptsPerShared} script versions.
     */
    public record WarmSettings(
            int maxWarm,
            Duration idleTime,
            int perScriptLimit,
            int maxShared,
            int perTenantLimit,
            int scriptsPerShared,
            long maxSharedBytes) {
        public WarmSettings(int maxWarm, Duration idleTime, int perScriptLimit) {
            this(maxWarm, idleTime, perScriptLimit, maxWarm, perScriptLimit, 1024, Long.MAX_VALUE);
        }

        public static WarmSettings defaults() {
            return new WarmSettings(32, Duration.ofMinutes(5), 8, 4096, 16, 1024, defaultSharedBytes());
        }

        /** A quarter of the memory this process sees (in a container: its limit) for idle shared sandboxes. */
        public static long defaultSharedBytes() {
            var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getTotalMemorySize() / 4;
            return 4L << 30;
        }
    }

    /**
     * What an idle sandbox counts for in the pool when its runtime cannot say what it holds: more than a warm Node.js
     * container holds (~8 MiB charged to its cgroup, measured), so the budget errs on the side of the host.
     */
    static final long NOMINAL_SANDBOX_BYTES = 16L << 20;

    /**
     * How long a call waits for a busy sandbox of its version or tenant before another is started for it (see {@link
     * WarmPool.BusyStart}): as long as a start has taken lately, at least 100 ms and at most 2 s. A short script's
     * call is over in a millisecond or two, a start costs ~0.3 s of CPU; on a saturated machine a start takes
     * seconds, and a call waiting for a busy sandbox there is served long before one would be up.
     */
    static final WarmPool.BusyStart BUSY_START = new WarmPool.BusyStart(Duration.ofMillis(100), Duration.ofSeconds(2));

    /**
     * Sandboxes of one script version starting at once: a start is mostly CPU (the engine, the runtime, node
     * loading the script), so more starts than cores only slow down the first one that could serve a burst.
     */
    private static final int STARTS_AT_ONCE = Math.max(2, Runtime.getRuntime().availableProcessors());

    protected final RuntimeLimits limits;
    private final Map<UUID, Integer> latestVersion = new ConcurrentHashMap<>();
    private final Map<UUID, Integer> retiredUpTo = new ConcurrentHashMap<>();
    private final WarmPool<SandboxSpec, HarnessChannel> pool;
    /** Sandboxes shared by the calls of one tenant, with the script versions placed in each. */
    private final WarmPool<SharedSpec, Shared> shared;

    private final int scriptsPerShared;
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
                Clock.systemUTC(),
                channel -> 0,
                Long.MAX_VALUE,
                BUSY_START);
        this.shared = new WarmPool<>(
                warm.maxShared(),
                warm.idleTime(),
                Math.max(1, warm.perTenantLimit()),
                STARTS_AT_ONCE,
                s -> s.channel().sandbox().destroy(),
                spec -> false,
                Clock.systemUTC(),
                s -> s.channel().sandbox().memoryBytes().orElse(NOMINAL_SANDBOX_BYTES),
                warm.maxSharedBytes(),
                BUSY_START);
        this.scriptsPerShared = Math.max(1, warm.scriptsPerShared());
    }

    /**
     * What a shared sandbox is for: the calls of one tenant (a user's environment) with one memory limit. Calls of
     * two tenants never share a sandbox.
     */
    public record SharedSpec(String tenant, int memoryMb) {}

    /** A sandbox shared by a tenant's scripts, and where, in it, each script version placed there is. */
    protected record Shared(HarnessChannel channel, Map<String, String> placed) {
        Shared(HarnessChannel channel) {
            this(channel, new ConcurrentHashMap<>());
        }
    }

    /**
     * Whether calls of this image may go to a sandbox shared by their tenant's scripts (a harness that can load code
     * placed into a sandbox that is running): adapters that can say so. May block (to look at the image).
     */
    protected boolean canShare(String image) throws Exception {
        return false;
    }

    /** As {@link #canShare}, from what is known without blocking: null when that is not known yet. */
    protected Boolean canShareKnown(String image) {
        return Boolean.FALSE;
    }

    /** Starts a sandbox for {@code spec}'s tenant from {@code image} (one of the tenant's), with no code loaded. */
    protected Sandbox startShared(SharedSpec spec, String image, Sandbox.SandboxOutput output) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot start shared sandboxes");
    }

    /** Puts the code of {@code image} into a started shared sandbox; returns its script's path in the sandbox. */
    protected String placeShared(Sandbox sandbox, String image) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot start shared sandboxes");
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
        public static BlankSpec plain(int memoryMb) {
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
     * each one is used), so {@link #runOnce} does not wait for a sandbox to start, nor the first call of a tenant new
     * to this runtime for a shared sandbox of that memory. Code with dependencies also finds,
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
            if (channel == null) channel = unchecked("start a blank sandbox", () -> startBlankChannel(plain));
            var started = channel;
            unchecked("place the code into a blank sandbox", () -> {
                place(started.sandbox(), code);
                return null;
            });
            return channel.invoke(invocation, logs).warm(false);
        } catch (ImageUnavailableException e) {
            return Outcome.failed(e.getMessage(), null, false);
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
        if (invocation.tenant() != null) {
            boolean share;
            try {
                share = unchecked("look at " + invocation.image(), () -> canShare(invocation.image()));
            } catch (ImageUnavailableException e) {
                return Outcome.failed(e.getMessage(), null, false);
            }
            if (share) return runShared(invocation, logs);
        }
        var spec = spec(invocation);
        noteVersion(spec);
        if (invocation.cancellation().isCancelled()) return Outcome.of(RunStatus.CANCELLED, "cancelled", null, false);
        WarmPool<SandboxSpec, HarnessChannel>.Lease lease;
        try {
            lease = unchecked("get a sandbox for " + spec.image(), () -> pool.acquire(spec, () -> startChannel(spec)));
        } catch (ImageUnavailableException e) {
            return Outcome.failed(e.getMessage(), null, false);
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
        if (invocation.tenant() != null) {
            Boolean share = canShareKnown(invocation.image());
            if (share == null) return ScriptRuntime.super.runAsync(invocation, logs);
            if (share) return runSharedAsync(invocation, logs);
        }
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

    /** A step of getting a sandbox ready that may block and fail. */
    @FunctionalInterface
    private interface Step<T> {
        T run() throws Exception;
    }

    /**
     * Runs the step, rethrowing its runtime exceptions (an {@link ImageUnavailableException}, which fails the run,
     * among them) and wrapping the rest: an interruption as such (the thread's flag set again), others as not
     * being able to {@code what}.
     */
    private static <T> T unchecked(String what, Step<T> step) {
        try {
            return step.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not " + what + ": " + e, e);
        }
    }

    private SharedSpec sharedSpec(Invocation invocation) {
        return new SharedSpec(invocation.tenant(), limits.memoryMb(invocation.memoryMb()));
    }

    /**
     * Runs a call in a sandbox its tenant's scripts share: an idle one that has the version placed already when there
     * is one, else any idle one of the tenant's (the version placed into it now), else one started for the tenant.
     * The sandbox serves one call at a time, so a call that outlives its time or memory takes only itself down.
     */
    private Outcome runShared(Invocation invocation, LogSink logs) {
        var spec = sharedSpec(invocation);
        if (invocation.cancellation().isCancelled()) return Outcome.of(RunStatus.CANCELLED, "cancelled", null, false);
        String image = invocation.image();
        WarmPool<SharedSpec, Shared>.Lease lease;
        try {
            lease = unchecked(
                    "get a sandbox for " + spec.tenant(),
                    () -> shared.acquire(spec, () -> startSharedSandbox(spec, image), s -> s.placed()
                            .containsKey(image)));
        } catch (ImageUnavailableException e) {
            return Outcome.failed(e.getMessage(), null, false);
        }
        Outcome outcome = null;
        var sandbox = lease.value();
        boolean warm = lease.warm() && sandbox.placed().containsKey(image);
        try {
            String script = unchecked("place " + image + " into a sandbox", () -> placed(sandbox, image));
            outcome = sandbox.channel().invoke(invocation, logs, script);
            return outcome.warm(warm);
        } catch (ImageUnavailableException e) {
            outcome = Outcome.failed(e.getMessage(), null, false);
            return outcome;
        } finally {
            lease.release(outcome != null && reusable(sandbox, spec.memoryMb()));
        }
    }

    /** As {@link #runShared}, without a thread of its own when an idle sandbox with the version placed is there. */
    private CompletableFuture<Outcome> runSharedAsync(Invocation invocation, LogSink logs) {
        var spec = sharedSpec(invocation);
        if (invocation.cancellation().isCancelled()) {
            return CompletableFuture.completedFuture(Outcome.of(RunStatus.CANCELLED, "cancelled", null, false));
        }
        String image = invocation.image();
        var lease = shared.tryAcquireIdle(spec, s -> s.placed().containsKey(image));
        if (lease == null) return ScriptRuntime.super.runAsync(invocation, logs);
        var sandbox = lease.value();
        String script = sandbox.placed().get(image);
        if (script == null) {
            // the code is still to be put there: a blocking step, for a thread of its own
            lease.release(true);
            return ScriptRuntime.super.runAsync(invocation, logs);
        }
        CompletableFuture<Outcome> invoked;
        try {
            invoked = sandbox.channel().invokeAsync(invocation, logs, script);
        } catch (RuntimeException e) {
            lease.release(false);
            throw e;
        }
        return invoked.whenComplete(
                        (outcome, e) -> lease.release(outcome != null && reusable(sandbox, spec.memoryMb())))
                .thenApply(outcome -> outcome.warm(true));
    }

    /**
     * A sandbox for a tenant that has no idle one: a blank one started ahead of time when one of its memory is ready
     * (no code of anyone's in it yet, so it may become any tenant's; it is then that tenant's only), else one started
     * now from one of the tenant's images.
     */
    private Shared startSharedSandbox(SharedSpec spec, String image) throws Exception {
        var plain = BlankSpec.plain(spec.memoryMb());
        if (blanksWanted.getOrDefault(plain, 0) > 0) {
            var ready = takeBlank(plain);
            replenish(plain);
            if (ready != null) return new Shared(ready);
        }
        var channel = new HarnessChannel(limits);
        channel.attach(startShared(spec, image, channel));
        return new Shared(channel);
    }

    /** Where the version's script is in the shared sandbox, placing it there first if it is not yet. */
    private String placed(Shared sandbox, String image) throws Exception {
        String script = sandbox.placed().get(image);
        if (script != null) return script;
        script = placeShared(sandbox.channel().sandbox(), image);
        sandbox.placed().put(image, script);
        return script;
    }

    /**
     * A shared sandbox serves on while it is fit, has not loaded {@code scriptsPerShared} versions, and what its heap
     * holds leaves at least half of it to the next call (the heap is three quarters of the memory).
     */
    private boolean reusable(Shared sandbox, int memoryMb) {
        var channel = sandbox.channel();
        return channel.reusable()
                && sandbox.placed().size() < scriptsPerShared
                && channel.heapBytes() < memoryMb * 1024L * 1024L * 3 / 8;
    }

    /** Shared sandboxes started and idle. */
    public int sharedCount() {
        return shared.idleCount();
    }

    /** The memory the idle shared sandboxes hold together, as they held it when they became idle. */
    public long sharedIdleBytes() {
        return shared.idleWeight();
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
        shared.close();
        for (var ready : blanks.values()) {
            HarnessChannel channel;
            while ((channel = ready.pollFirst()) != null) channel.sandbox().destroy();
        }
    }
}

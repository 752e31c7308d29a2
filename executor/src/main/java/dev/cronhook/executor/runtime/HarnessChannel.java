package dev.cronhook.executor.runtime;

import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.run.HttpReply;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.wire.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Speaks the harness protocol with one sandbox: sends an invocation frame carrying a fresh nonce and takes the
 * frames carrying it back; passes every other line to the run's log. One invocation at a time.
 *
 * <p>On stdio, the stdout line holding the nonce is the result and the stderr line holding it the end of the
 * invocation's output. On a private channel (a socket), the invocation's log lines and then its result arrive as
 * frames in order; stdout and stderr carry only output that went around the harness, and the harness marks their
 * end (and asks us to wait for the marks) only when the invocation may have written there.
 */
public final class HarnessChannel implements Sandbox.SandboxOutput {
    private static final Logger log = LoggerFactory.getLogger(HarnessChannel.class);
    private static final char MARK = '\u001e';
    // DRBG: seeded once from the OS, then no system call (and no lock on /dev/urandom) per nonce
    private static final SecureRandom RANDOM = drbg();
    private static final String HEAP_OOM = "JavaScript heap out of memory";
    private static final String LOG_FRAME = "{\"log\":";
    private static final String DRAIN_FRAME = "{\"drain\":true}";
    private static final java.util.concurrent.Executor WAITING =
            java.util.concurrent.Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("harness-settle-", 0).factory());
    // invocation deadlines: one timer thread that wakes only for the earliest deadline (CompletableFuture.orTimeout
    // would wake the JDK's delay scheduler to add each deadline and again to cancel it, twice per invocation)
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

    private final RuntimeLimits limits;
    private final LineSplitter stdout;
    private final LineSplitter stderr;
    // the private channel, and the log text that arrives in its frames (both used by its one reader)
    private final LineSplitter frames;
    private volatile long heapBytes;
    private final LineSplitter channelStdout;
    private final LineSplitter channelStderr;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile Sandbox sandbox;
    private volatile boolean privateChannel;
    private volatile Call call;
    private volatile boolean heapExhausted;
    private volatile boolean reusable;
    private int invocations;

    public HarnessChannel(RuntimeLimits limits) {
        this.limits = limits;
        // a base64 reply body is a third larger than the cap; frames must fit whole
        int maxLine = limits.maxResultBytes() * 2 + 64 * 1024;
        this.stdout = new LineSplitter(maxLine, (line, cut) -> line(LogStream.STDOUT, line, cut));
        this.stderr = new LineSplitter(maxLine, (line, cut) -> line(LogStream.STDERR, line, cut));
        this.frames = new LineSplitter(maxLine, this::frame);
        // a UTF-8 character is at most 4 bytes: longer lines are cut to maxLineChars anyway
        int maxLogLine = limits.maxLineChars() * 4 + 4;
        this.channelStdout = new LineSplitter(maxLogLine, (line, cut) -> channelLine(LogStream.STDOUT, line, cut));
        this.channelStderr = new LineSplitter(maxLogLine, (line, cut) -> channelLine(LogStream.STDERR, line, cut));
    }

    public void attach(Sandbox sandbox) {
        this.privateChannel = sandbox.privateChannel();
        this.sandbox = sandbox;
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    public boolean isAlive() {
        return !ended.isDone();
    }

    @Override
    public void output(LogStream stream, byte[] bytes, int offset, int length) {
        (stream == LogStream.STDOUT ? stdout : stderr).feed(bytes, offset, length);
    }

    @Override
    public void frames(byte[] bytes, int offset, int length) {
        frames.feed(bytes, offset, length);
    }

    @Override
    public void ended() {
        stdout.flush();
        stderr.flush();
        channelStdout.flush();
        channelStderr.flush();
        ended.complete(null);
        Call c = call;
        if (c != null) c.settled.complete(null);
    }

    private void line(LogStream stream, String line, boolean cut) {
        if (stream == LogStream.STDERR && line.contains(HEAP_OOM)) heapExhausted = true;
        Call c = call;
        if (c == null) {
            log.debug("{} output between invocations: {}", stream.wireName(), line);
            return;
        }
        int at = line.indexOf(c.marker);
        if (at < 0) {
            c.log(stream, line, cut);
            return;
        }
        if (at > 0) c.log(stream, line.substring(0, at), false);
        if (privateChannel) {
            // results never come this way: the mark only ends what went around the harness on this stream
            (stream == LogStream.STDOUT ? c.endOfStdout : c.endOfStderr).complete(null);
            return;
        }
        String body = line.substring(at + c.marker.length());
        if (stream == LogStream.STDOUT) {
            c.result(body, cut);
        } else {
            c.endOfStderr.complete(null);
        }
    }

    /** One line of the private channel: a frame of the current invocation, or nothing we take. */
    private void frame(String line, boolean cut) {
        Call c = call;
        if (c == null || !line.startsWith(c.marker)) {
            log.debug("harness frame for no current invocation: {}", abbreviate(line));
            return;
        }
        String body = line.substring(c.marker.length());
        if (body.startsWith(LOG_FRAME)) {
            logFrame(body, cut);
        } else if (body.equals(DRAIN_FRAME)) {
            c.drain = true;
        } else {
            // what the invocation logged without a final newline is still its own
            channelStdout.flush();
            channelStderr.flush();
            c.result(body, cut);
        }
    }

    private void logFrame(String body, boolean cut) {
        JsonNode node;
        try {
            node = cut ? null : Wire.json().readTree(body);
        } catch (RuntimeException e) {
            node = null;
        }
        if (node == null || !node.path("text").isString()) {
            log.debug("unreadable log frame from the harness: {}", abbreviate(body));
            return;
        }
        byte[] text = node.get("text").asString().getBytes(StandardCharsets.UTF_8);
        (node.path("log").asString("").equals("stderr") ? channelStderr : channelStdout).feed(text, 0, text.length);
    }

    private void channelLine(LogStream stream, String line, boolean cut) {
        Call c = call;
        if (c != null) c.log(stream, line, cut);
    }

    private static String abbreviate(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "…";
    }

    /** Runs one invocation on this channel's sandbox, which must be idle. */
    public Outcome invoke(Invocation invocation, LogSink sink) {
        return invoke(invocation, sink, null);
    }

    /**
     * Runs one invocation of the script at {@code script} (a path in the sandbox; null: the sandbox's own script) on
     * this channel's sandbox, which must be idle.
     */
    public Outcome invoke(Invocation invocation, LogSink sink, String script) {
        try {
            return invokeAsync(invocation, sink, script).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandbox.kill();
            return Outcome.failed("interrupted", sandbox.id(), false);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Runs one invocation on this channel's sandbox, which must be idle, without tying up the calling thread: the
     * frame is sent here and the outcome completes on the thread that reads the result. Only what must wait for
     * more output (a harness that died, or output that went around the harness and is still on its way) is waited
     * for, on a virtual thread.
     */
    public CompletableFuture<Outcome> invokeAsync(Invocation invocation, LogSink sink) {
        return invokeAsync(invocation, sink, null);
    }

    /** As {@link #invokeAsync(Invocation, LogSink)}, of the script at {@code script} (null: the sandbox's own). */
    public CompletableFuture<Outcome> invokeAsync(Invocation invocation, LogSink sink, String script) {
        var sb = sandbox;
        var c = new Call(nonce(), sink, limits);
        reusable = false;
        call = c;
        invocations++;
        c.hook = invocation.cancellation().onCancel(() -> {
            c.cancelled = true;
            c.settled.complete(null);
            sb.kill();
        });
        try {
            if (!c.cancelled) {
                if (!isAlive()) throw new IOException("the harness has exited");
                sb.admitEgress(invocation.scriptId(), invocation.egress());
                sb.send(frame(invocation, c.nonce, script));
            }
        } catch (IOException e) {
            sb.kill();
            c.failure = "could not reach the script's harness: " + e.getMessage();
            c.settled.complete(null);
        }
        var deadline = DEADLINES.schedule(
                () -> c.settled.completeExceptionally(new TimeoutException()),
                invocation.timeout().toMillis(),
                TimeUnit.MILLISECONDS);
        c.settled.whenComplete((done, e) -> deadline.cancel(false));
        return c.settled.handle((done, e) -> e instanceof TimeoutException).thenCompose(timedOut -> {
            if (timedOut) {
                // off the timer's thread: killing a container is a call to the engine
                c.timedOut = true;
                return CompletableFuture.supplyAsync(
                        () -> {
                            sb.kill();
                            return settle(invocation, c, sb);
                        },
                        WAITING);
            }
            return mustWait(c)
                    ? CompletableFuture.supplyAsync(() -> settle(invocation, c, sb), WAITING)
                    : CompletableFuture.completedFuture(settle(invocation, c, sb));
        });
    }

    /** Whether settling an invocation waits for output still on its way. */
    private boolean mustWait(Call c) {
        if (c.cancelled || c.timedOut || c.failure != null) return false;
        // no result: the harness died, and how it died is known when its output has ended
        if (c.frame == null) return !ended.isDone();
        return isAlive() && (!privateChannel || c.drain);
    }

    /** The invocation's outcome, once its result or its end is in. */
    private Outcome settle(Invocation invocation, Call c, Sandbox sb) {
        try {
            if (c.failure != null) return Outcome.failed(c.failure, sb.id(), false);
            return outcome(invocation, c, sb);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sb.kill();
            return Outcome.failed("interrupted", sb.id(), false);
        } finally {
            sb.endEgress();
            closeQuietly(c.hook);
            // output written just before the result may still be on its way
            if (c.frame != null && isAlive()) {
                if (!privateChannel) awaitQuietly(c.endOfStderr, 2000);
                else if (c.drain) awaitQuietly(CompletableFuture.allOf(c.endOfStdout, c.endOfStderr), 2000);
            }
            call = null;
            c.closeLog();
        }
    }

    private Outcome outcome(Invocation invocation, Call c, Sandbox sb) throws InterruptedException {
        String id = sb.id();
        if (c.cancelled) return Outcome.of(RunStatus.CANCELLED, "cancelled", id, false);
        if (c.timedOut) {
            return Outcome.of(
                    RunStatus.TIMED_OUT,
                    "timed out after " + invocation.timeout().toSeconds() + " s",
                    id,
                    false);
        }
        if (c.frame == null) {
            awaitQuietly(ended, 5000);
            var exit = sb.exitStatus();
            if (exit.outOfMemory() || heapExhausted) return Outcome.failed(Sandbox.MEMORY_LIMIT, id, false);
            if (exit.tooManyProcesses()) return Outcome.failed(Sandbox.PROCESS_LIMIT, id, false);
            return Outcome.failed(
                    "the script's process exited unexpectedly (exit code " + exit.exitCode() + ")", id, false);
        }
        var outcome = parse(c.frame, c.frameCut, id);
        // a child killed by the memory limit or a fork refused by the pids limit fails the run in every runtime, as it
        // does where the runtime kills the whole sandbox for it (the script may have caught the error and returned)
        var limit = sb.limitHit();
        if (limit.isEmpty()) return outcome;
        reusable = false;
        String error = outcome.status() == RunStatus.SUCCEEDED || outcome.error() == null
                ? limit.get()
                : limit.get() + " (" + outcome.error() + ")";
        return Outcome.failed(error, id, false);
    }

    /** Reads a result frame; only a frame that reached us whole, from a harness still fit to serve, allows reuse. */
    private Outcome parse(String body, boolean cut, String id) {
        if (cut) {
            reusable = true;
            return Outcome.failed(
                    Harness.RESULT_TOO_LARGE + "more than " + limits.maxResultBytes() + " bytes, limit "
                            + limits.maxResultBytes(),
                    id,
                    false);
        }
        JsonNode node;
        try {
            node = Wire.json().readTree(body);
        } catch (RuntimeException e) {
            return Outcome.failed("unreadable result frame from the harness", id, false);
        }
        heapBytes = node.path("heap").asLong(0);
        if (!node.path("ok").asBoolean(false)) {
            reusable = !node.path("fatal").asBoolean(false);
            return Outcome.failed(node.path("error").asString("the script failed"), id, false);
        }
        reusable = true;
        if (node.has("reply")) {
            return new Outcome(RunStatus.SUCCEEDED, null, reply(node.get("reply")), null, id, false);
        }
        JsonNode result = node.get("result");
        String json = result == null || result.isNull() ? null : result.toString();
        return new Outcome(RunStatus.SUCCEEDED, json, null, null, id, false);
    }

    private static HttpReply reply(JsonNode r) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (var e : r.path("headers").properties()) {
            List<String> values = new ArrayList<>();
            if (e.getValue().isArray()) e.getValue().forEach(v -> values.add(v.asString()));
            else values.add(e.getValue().asString());
            headers.put(e.getKey(), List.copyOf(values));
        }
        return new HttpReply(
                r.path("status").asInt(200),
                headers,
                r.path("body").asString(""),
                r.path("base64").asBoolean(false));
    }

    private byte[] frame(Invocation inv, String nonce, String script) {
        ObjectNode ctx = Wire.json().createObjectNode();
        ctx.put("runId", inv.runId().toString());
        ctx.put("scriptId", inv.scriptId().toString());
        ctx.put("version", inv.version());
        ctx.put("trigger", inv.trigger().wireName());
        ObjectNode env = Wire.json().createObjectNode();
        inv.env().forEach(env::put);
        String event = inv.eventJson();
        if (event.indexOf('\n') >= 0 || event.indexOf('\r') >= 0) {
            event = Wire.json().readTree(event).toString();
        }
        String named = script == null ? "" : ",\"script\":" + Wire.json().writeValueAsString(script);
        String frame = "{\"id\":\"" + nonce + "\",\"maxResultBytes\":" + limits.maxResultBytes() + named + ",\"ctx\":"
                + ctx + ",\"env\":" + env + ",\"event\":" + event + "}\n";
        return frame.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Whether the last invocation left the harness fit to serve another one. The limits are read after the look for
     * processes left behind: one that hit a limit and ended between the two would otherwise go unseen, and its count
     * would fail the next call served here.
     */
    public boolean reusable() {
        return reusable
                && isAlive()
                && !sandbox.leftProcessesBehind()
                && sandbox.limitHit().isEmpty();
    }

    public int invocations() {
        return invocations;
    }

    /**
     * The harness's heap in use after its last call, as it said (shared sandboxes say it; 0 when not said): what the
     * scripts loaded into it hold.
     */
    public long heapBytes() {
        return heapBytes;
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    private static String nonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void awaitQuietly(CompletableFuture<Void> f, long millis) {
        try {
            f.get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // best effort
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // removing a hook cannot fail
        }
    }

    /** The state of one invocation. */
    private static final class Call {
        final String nonce;
        final String marker;
        final LogSink sink;
        final RuntimeLimits limits;
        final CompletableFuture<Void> settled = new CompletableFuture<>();
        final CompletableFuture<Void> endOfStdout = new CompletableFuture<>();
        final CompletableFuture<Void> endOfStderr = new CompletableFuture<>();
        volatile boolean drain;
        volatile String frame;
        volatile boolean frameCut;
        volatile boolean cancelled;
        volatile boolean timedOut;
        volatile String failure;
        volatile AutoCloseable hook;
        private int lines;
        private long dropped;
        private boolean closed;

        Call(String nonce, LogSink sink, RuntimeLimits limits) {
            this.nonce = nonce;
            this.marker = MARK + nonce;
            this.sink = sink;
            this.limits = limits;
        }

        void result(String body, boolean cut) {
            frame = body;
            frameCut = cut;
            settled.complete(null);
        }

        synchronized void log(LogStream stream, String line, boolean cut) {
            if (closed) return;
            if (lines >= limits.maxLogLines()) {
                dropped++;
                return;
            }
            if (line.length() > limits.maxLineChars()) {
                line = line.substring(0, limits.maxLineChars());
                cut = true;
            }
            lines++;
            sink.line(Instant.now(), stream, cut ? line + " … [line truncated]" : line);
        }

        synchronized void closeLog() {
            if (dropped > 0) {
                sink.line(
                        Instant.now(),
                        LogStream.STDERR,
                        "[log truncated: " + dropped + " more lines after the limit of " + limits.maxLogLines()
                                + " lines]");
            }
            closed = true;
        }
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        var timer = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("harness-deadlines").factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}

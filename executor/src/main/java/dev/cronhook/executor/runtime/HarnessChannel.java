package dev.cronhook.executor.runtime;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Speaks the harness protocol with one sandbox: sends an invocation frame carrying a fresh nonce, takes the
 * stdout line holding that nonce as the result and the stderr line holding it as the end of the invocation's
 * output, and passes every other line to the run's log. One invocation at a time.
 */
public final class HarnessChannel implements Sandbox.SandboxOutput {
    private static final Logger log = LoggerFactory.getLogger(HarnessChannel.class);
    private static final char MARK = '\u001e';
    // DRBG: seeded once from the OS, then no system call (and no lock on /dev/urandom) per nonce
    private static final SecureRandom RANDOM = drbg();
    private static final String HEAP_OOM = "JavaScript heap out of memory";

    private final RuntimeLimits limits;
    private final LineSplitter stdout;
    private final LineSplitter stderr;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile Sandbox sandbox;
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
    }

    public void attach(Sandbox sandbox) {
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
    public void ended() {
        stdout.flush();
        stderr.flush();
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
        String body = line.substring(at + c.marker.length());
        if (stream == LogStream.STDOUT) {
            c.result(body, cut);
        } else {
            c.endOfStderr.complete(null);
        }
    }

    /** Runs one invocation on this channel's sandbox, which must be idle. */
    public Outcome invoke(Invocation invocation, LogSink sink) {
        var sb = sandbox;
        var c = new Call(nonce(), sink, limits);
        reusable = false;
        call = c;
        invocations++;
        AutoCloseable hook = invocation.cancellation().onCancel(() -> {
            c.cancelled = true;
            c.settled.complete(null);
            sb.kill();
        });
        try {
            if (c.cancelled) return Outcome.of(RunStatus.CANCELLED, "cancelled", sb.id(), false);
            if (!isAlive()) throw new IOException("the harness has exited");
            sb.send(frame(invocation, c.nonce));
            try {
                c.settled.get(invocation.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                c.timedOut = true;
                sb.kill();
            }
            return outcome(invocation, c, sb);
        } catch (IOException e) {
            sb.kill();
            return Outcome.failed("could not reach the script's harness: " + e.getMessage(), sb.id(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sb.kill();
            return Outcome.failed("interrupted", sb.id(), false);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            closeQuietly(hook);
            // stderr written just before the result may still be on its way
            if (c.frame != null && isAlive()) awaitQuietly(c.endOfStderr, 2000);
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
            if (exit.outOfMemory() || heapExhausted) return Outcome.failed("memory limit exceeded", id, false);
            if (exit.tooManyProcesses()) return Outcome.failed("process limit exceeded", id, false);
            return Outcome.failed(
                    "the script's process exited unexpectedly (exit code " + exit.exitCode() + ")", id, false);
        }
        return parse(c.frame, c.frameCut, id);
    }

    /** Reads a result frame; only a frame that reached us whole, from a harness still fit to serve, allows reuse. */
    private Outcome parse(String body, boolean cut, String id) {
        if (cut) {
            reusable = true;
            return Outcome.failed("the result exceeds " + limits.maxResultBytes() + " bytes", id, false);
        }
        JsonNode node;
        try {
            node = Wire.json().readTree(body);
        } catch (RuntimeException e) {
            return Outcome.failed("unreadable result frame from the harness", id, false);
        }
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

    private byte[] frame(Invocation inv, String nonce) {
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
        String frame = "{\"id\":\"" + nonce + "\",\"maxResultBytes\":" + limits.maxResultBytes() + ",\"ctx\":" + ctx
                + ",\"env\":" + env + ",\"event\":" + event + "}\n";
        return frame.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the last invocation left the harness fit to serve another one. */
    public boolean reusable() {
        return reusable && isAlive();
    }

    public int invocations() {
        return invocations;
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
        final CompletableFuture<Void> endOfStderr = new CompletableFuture<>();
        volatile String frame;
        volatile boolean frameCut;
        volatile boolean cancelled;
        volatile boolean timedOut;
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
}

package dev.cronhook.bench.run;

import com.github.dockerjava.api.DockerClient;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogSink;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import dev.cronhook.executor.worker.RunWorker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Run-path figures on this machine: warm invocation (request enqueued on RUNS → final result on RUN_RESULTS),
 * cold start with the image present (runtime.run with nothing warm), and sustained warm throughput through one
 * executor. Needs Docker and Redis; uses Redis database 12. Args: [warmRuns] [coldRuns] [throughputRuns]
 * [concurrency] [warm containers per script]. {@code -Dphases=cold,runtime,queue} picks phases (default all);
 * {@code -Dchannel=stdio} speaks to the harness on stdio through the engine instead of on its socket.
 */
public final class RunBenchmark {
    private static final String SCRIPT = "export default async function () { return 1; }\n";
    /** {@code -Dchannel=stdio} speaks to the harness through the engine (stdin/stdout), as before protocol 2. */
    private static final Path SOCKETS = System.getProperty("channel", "socket").equals("stdio") ? null : sockets();
    /** {@code -DociRuntime=runc} (or {@code default}) compares with the engine's default OCI runtime. */
    private static final String OCI_RUNTIME = System.getProperty("ociRuntime", DockerScriptRuntime.OCI_AUTO);
    /**
     * {@code -DwarmupBurst=N} (default 20,000; 0: none): a burst before the queue phase's measurements, so they
     * measure the executor's steady state and not the JIT compiling it.
     */
    private static final int WARMUP_BURST = Integer.getInteger("warmupBurst", 20_000);

    private RunBenchmark() {}

    public static void main(String[] args) throws Exception {
        int warmRuns = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int coldRuns = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int throughputRuns = args.length > 2 ? Integer.parseInt(args[2]) : 20000;
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int perScript = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        String image = image();
        var docker = DockerScriptRuntime.client("unix:///var/run/docker.sock");
        UUID scriptId = UUID.randomUUID();
        Set<String> phases =
                Set.of(System.getProperty("phases", "cold,runtime,queue").split(","));
        System.out.println(
                "harness channel: " + (SOCKETS == null ? "stdio, through the engine" : "socket in " + SOCKETS));
        System.out.println("OCI runtime: "
                + Optional.ofNullable(DockerScriptRuntime.resolveOciRuntime(docker, OCI_RUNTIME))
                        .orElse("the engine's default"));
        if (phases.contains("cold")) cold(docker, scriptId, image, coldRuns);
        if (phases.contains("runtime"))
            runtimeOnly(docker, scriptId, image, warmRuns, throughputRuns, concurrency, perScript);
        if (phases.contains("queue")) queue(docker, scriptId, image, warmRuns, coldRuns, throughputRuns);
    }

    private static void cold(DockerClient docker, UUID scriptId, String image, int coldRuns)
            throws InterruptedException {
        // cold: nothing kept warm, so every invocation creates, attaches, starts and calls a new container
        try (var cold = new DockerScriptRuntime(
                docker,
                "none",
                "bench-cold",
                RuntimeLimits.defaults(),
                new HarnessScriptRuntime.WarmSettings(0, Duration.ofMinutes(1), 8),
                SOCKETS,
                OCI_RUNTIME)) {
            long[] ms = new long[coldRuns];
            for (int i = -3; i < coldRuns; i++) {
                long t0 = System.nanoTime();
                var outcome = cold.run(invocation(scriptId, image), LogSink.DISCARD);
                long t = System.nanoTime() - t0;
                if (!outcome.status().name().equals("SUCCEEDED")) throw new IllegalStateException(outcome.toString());
                if (i >= 0) ms[i] = t;
                // the runtime removes a used container off the caller's thread: let that finish, so each start is
                // measured on an engine doing nothing else, as when a script's first call in a while arrives
                // (-DoverlapTeardown=true measures starts back to back, each beside the previous removal)
                if (!Boolean.getBoolean("overlapTeardown")) awaitRemoved(docker, "bench-cold");
            }
            report("cold start, image present (runtime.run, new container each)", ms);
        }
    }

    private static void awaitRemoved(DockerClient docker, String owner) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(DockerScriptRuntime.LABEL, owner))
                .exec()
                .isEmpty()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("containers of " + owner + " remain");
            Thread.sleep(20);
        }
    }

    private static void runtimeOnly(
            DockerClient docker,
            UUID scriptId,
            String image,
            int warmRuns,
            int throughputRuns,
            int concurrency,
            int perScript) {
        // the runtime alone (no Redis): warm invocations one at a time, then from 16 threads
        try (var warm = new DockerScriptRuntime(
                docker,
                "none",
                "bench-runtime",
                RuntimeLimits.defaults(),
                new HarnessScriptRuntime.WarmSettings(32, Duration.ofMinutes(5), perScript),
                SOCKETS,
                OCI_RUNTIME)) {
            long[] ms = new long[warmRuns];
            for (int i = -200; i < warmRuns; i++) {
                long t0 = System.nanoTime();
                warm.run(invocation(scriptId, image), LogSink.DISCARD);
                if (i >= 0) ms[i] = System.nanoTime() - t0;
            }
            report("warm invocation, runtime only (no Redis)", ms);
            // every container the callers will use is started before the measurement
            callers(concurrency, concurrency * 50, () -> warm.run(invocation(scriptId, image), LogSink.DISCARD));
            int n = throughputRuns;
            var containers = docker
                    .listContainersCmd()
                    .withLabelFilter(Map.of(DockerScriptRuntime.LABEL, "bench-runtime"))
                    .exec()
                    .stream()
                    .map(c -> c.getId())
                    .toList();
            var engine = new EngineCpu(containers);
            var engine0 = engine.sample();
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            callers(concurrency, n, () -> warm.run(invocation(scriptId, image), LogSink.DISCARD));
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    "runtime only, " + concurrency + " callers: %d invocations in %.2f s = %.0f/s"
                            + " (executor JVM CPU %.0f µs per invocation)%n",
                    n,
                    seconds,
                    n / seconds,
                    (cpuNanos() - cpu0) / 1e3 / n);
            System.out.printf(
                    "engine CPU (%d containers, %d shims found): %s%n",
                    containers.size(),
                    engine.shims(),
                    engine.sample().minus(engine0).perInvocation(n));
        }
    }

    private static void queue(
            DockerClient docker, UUID scriptId, String image, int warmRuns, int coldRuns, int throughputRuns)
            throws Exception {
        var client = RedisClient.create("redis://127.0.0.1:6379/12");
        StatefulRedisConnection<String, String> redis = client.connect();
        StatefulRedisConnection<String, String> reader = client.connect();
        redis.sync().del(Streams.RUNS, Streams.RUN_RESULTS);
        var runtime = new DockerScriptRuntime(
                docker,
                "none",
                "bench-warm",
                RuntimeLimits.defaults(),
                // room for every cold run's container to stay warm: none is evicted (removed) beside a start
                new HarnessScriptRuntime.WarmSettings(64, Duration.ofMinutes(5), 8),
                SOCKETS,
                OCI_RUNTIME);
        var worker = dev.cronhook.executor.worker.redis.RedisRunWorkers.create(
                client, redis, runtime, RunWorker.Settings.named("bench").withConcurrency(16));
        worker.start();
        try {
            String last = "$";
            // the script of the bursts: its containers apart from the warm phase's
            UUID burstScript = UUID.randomUUID();
            if (WARMUP_BURST > 0) {
                // an executor is a long-lived process: the JIT compiles its paths within its first ~20,000 runs, and
                // on two cores the compiler threads took ~40% of the CPU of a fresh JVM's first burst
                var warmup = burst(redis, reader, last, burstScript, image, WARMUP_BURST);
                last = warmup.last();
                warmup.print("warm-up burst (fresh JVM, JIT compiling; not the figure)");
            }
            // warm: one run at a time, enqueue → its final result read from RUN_RESULTS
            long[] ms = new long[warmRuns];
            for (int i = -200; i < warmRuns; i++) {
                var request = request(scriptId, image);
                long t0 = System.nanoTime();
                redis.sync().xadd(Streams.RUNS, Map.of("m", Wire.json().writeValueAsString(request)));
                last = awaitFinal(reader, last, request.runId());
                if (i >= 0) ms[i] = System.nanoTime() - t0;
            }
            report("warm run, request enqueued → final result on RUN_RESULTS", ms);

            // cold through the queue: every request is another script's, so none has a warm container (a new
            // version of one script would also retire its old container, a removal beside each start)
            long[] coldMs = new long[Math.min(coldRuns, 48)];
            for (int i = 0; i < coldMs.length; i++) {
                var base = request(scriptId, image);
                var request = new RunRequest(
                        base.runId(),
                        UUID.randomUUID(),
                        1,
                        image,
                        base.trigger(),
                        base.eventJson(),
                        30,
                        128,
                        1,
                        Instant.now());
                long t0 = System.nanoTime();
                redis.sync().xadd(Streams.RUNS, Map.of("m", Wire.json().writeValueAsString(request)));
                last = awaitFinal(reader, last, request.runId());
                coldMs[i] = System.nanoTime() - t0;
            }
            report("cold run through the queue (new script each), enqueued → final result", coldMs);
            // throughput: a burst of runs of the same script, all enqueued at once, on its warm containers
            burst(redis, reader, last, burstScript, image, throughputRuns).print("throughput");
        } finally {
            worker.close();
            runtime.close();
            redis.sync().del(Streams.RUNS, Streams.RUN_RESULTS);
            reader.close();
            redis.close();
            client.shutdown();
        }
    }

    /** What a burst did: runs, finished, succeeded, seconds, JVM CPU, and the last result stream id it read. */
    private record Burst(int runs, int finished, int succeeded, double seconds, long cpuNanos, String last) {
        void print(String what) {
            System.out.printf(
                    "%s: JVM CPU per run (worker and this benchmark's enqueuing and reading): %.0f µs%n",
                    what, cpuNanos / 1e3 / runs);
            System.out.printf(
                    "%s: %d runs enqueued at once, %d finished (%d succeeded, %d lost) in %.2f s = %.0f runs/s%n",
                    what, runs, finished, succeeded, runs - finished, seconds, finished / seconds);
        }
    }

    /** Enqueues {@code n} runs of the script at once and waits until each one's final result is on RUN_RESULTS. */
    private static Burst burst(
            StatefulRedisConnection<String, String> redis,
            StatefulRedisConnection<String, String> reader,
            String last,
            UUID scriptId,
            String image,
            int n)
            throws Exception {
        Set<UUID> expected = new HashSet<>();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var request = request(scriptId, image);
            expected.add(request.runId());
            bodies.add(Wire.json().writeValueAsString(request));
        }
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        var async = redis.async();
        var futures = new ArrayList<io.lettuce.core.RedisFuture<String>>();
        for (String body : bodies) futures.add(async.xadd(Streams.RUNS, Map.of("m", body)));
        for (var f : futures) f.get();
        Set<UUID> finished = new HashSet<>();
        int succeeded = 0;
        while (finished.size() < expected.size()) {
            var messages = reader.sync()
                    .xread(
                            XReadArgs.Builder.block(10_000).count(1000),
                            XReadArgs.StreamOffset.from(Streams.RUN_RESULTS, last));
            if (messages.isEmpty()) break;
            for (StreamMessage<String, String> m : messages) {
                last = m.getId();
                var result = Wire.json().readValue(m.getBody().get("m"), RunResult.class);
                if (result.status().isFinal() && expected.contains(result.runId()) && finished.add(result.runId())) {
                    if (result.status().name().equals("SUCCEEDED")) succeeded++;
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Burst(n, finished.size(), succeeded, seconds, cpuNanos() - cpu0, last);
    }

    /** Runs {@code call} {@code n} times from {@code concurrency} virtual threads; returns when all are done. */
    private static void callers(int concurrency, int n, Runnable call) {
        var counter = new java.util.concurrent.atomic.AtomicInteger();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < concurrency; t++) {
                pool.submit(() -> {
                    while (counter.incrementAndGet() <= n) call.run();
                });
            }
        }
    }

    static Path sockets() {
        try {
            Path dir = Files.createTempDirectory("cronhook-bench-sockets");
            // the runtimes remove what they made in it when they close: it is empty by then
            dir.toFile().deleteOnExit();
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long cpuNanos() {
        return ProcessHandle.current()
                .info()
                .totalCpuDuration()
                .map(Duration::toNanos)
                .orElse(0L);
    }

    private static String awaitFinal(StatefulRedisConnection<String, String> reader, String last, UUID runId) {
        while (true) {
            var messages = reader.sync()
                    .xread(XReadArgs.Builder.block(30_000), XReadArgs.StreamOffset.from(Streams.RUN_RESULTS, last));
            if (messages.isEmpty()) throw new IllegalStateException("no result for " + runId);
            for (StreamMessage<String, String> m : messages) {
                last = m.getId();
                var result = Wire.json().readValue(m.getBody().get("m"), RunResult.class);
                if (result.runId().equals(runId) && result.status().isFinal()) {
                    if (!result.status().name().equals("SUCCEEDED")) throw new IllegalStateException(result.toString());
                    return last;
                }
            }
        }
    }

    private static Invocation invocation(UUID scriptId, String image) {
        return new Invocation(
                UUID.randomUUID(),
                scriptId,
                1,
                image,
                TriggerKind.WEBHOOK,
                "{}",
                Duration.ofSeconds(30),
                128,
                Map.of(),
                new Cancellation());
    }

    private static RunRequest request(UUID scriptId, String image) {
        return new RunRequest(
                UUID.randomUUID(),
                scriptId,
                1,
                image,
                TriggerKind.WEBHOOK,
                "{\"method\":\"POST\"}",
                30,
                128,
                1,
                Instant.now());
    }

    static void report(String what, long[] nanos) {
        if (nanos.length == 0) return;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(
                "%s: n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n",
                what,
                sorted.length,
                pct(sorted, 50),
                pct(sorted, 90),
                pct(sorted, 99),
                sorted[sorted.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    /** A trivial script's image made from the host's node and the libraries it links (docker import). */
    private static String image() throws Exception {
        return image("trivial", SCRIPT);
    }

    /** An image of {@code script} with the harness, made from the host's node with {@code docker import}. */
    static String image(String name, String script) throws Exception {
        String tag = "cronhook-bench/" + name + ":"
                + Integer.toHexString(Arrays.hashCode(Harness.source()) ^ script.hashCode()) + "-p" + Harness.PROTOCOL;
        if (new ProcessBuilder("docker", "image", "inspect", tag).start().waitFor() == 0) return tag;
        Path root = Files.createTempDirectory("cronhook-bench-rootfs");
        Path app = Files.createDirectories(root.resolve("app"));
        Files.write(app.resolve(Harness.FILE_NAME), Harness.source());
        Files.writeString(app.resolve(Harness.SCRIPT_FILE_NAME), script);
        Files.writeString(app.resolve("package.json"), "{\"type\":\"module\"}\n");
        var ldd = new ProcessBuilder("ldd", "/usr/bin/node").start();
        String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Set<Path> files =
                new LinkedHashSet<>(List.of(Path.of("/usr/bin/node"), Path.of("/lib64/ld-linux-x86-64.so.2")));
        var absolute = Pattern.compile("(/\\S+)");
        for (String line : out.split("\n")) {
            var m = absolute.matcher(line);
            String lastPath = null;
            while (m.find()) lastPath = m.group(1);
            if (lastPath != null) files.add(Path.of(lastPath));
        }
        for (Path file : files) {
            Path target = root.resolve(file.toString().substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.createDirectories(root.resolve("tmp"));
        var imported = new ProcessBuilder(
                        "bash",
                        "-c",
                        "tar -C '" + root
                                + "' -c . | docker import --change 'ENTRYPOINT [\"node\",\"/app/harness.mjs\"]'"
                                + " --change 'WORKDIR /app' --change 'USER 65532'"
                                + " --change 'LABEL " + Harness.PROTOCOL_LABEL + "=" + Harness.PROTOCOL + "' - " + tag
                                + " && rm -rf '" + root
                                + "'")
                .inheritIO()
                .start();
        if (imported.waitFor() != 0) throw new IllegalStateException("docker import failed");
        return tag;
    }
}

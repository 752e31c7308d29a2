package dev.cronhook.bench.run;

import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogSink;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.process.ProcessScriptRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the process runtime's bubblewrap sandbox adds to a cold start and to a warm call: runs a trivial script cold
 * (a new script id each time, so a new sandbox) and warm, alternating sandboxed and unisolated runtimes so both see
 * the same machine load. A main class, not JMH: a cold start is ~100 ms of several processes.
 *
 * <pre>
 * ./mvnw -B -q -o -pl bench -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=/tmp/bench.cp
 * java [-Dcpus=1.0] -cp "$(cat /tmp/bench.cp):bench/target/classes" dev.cronhook.bench.run.ProcessSandboxStartBench \
 *     [cold=40] [warm=500]
 * </pre>
 */
public final class ProcessSandboxStartBench {
    private static final LogSink DISCARD = (time, stream, line) -> {};

    public static void main(String[] args) throws Exception {
        int cold = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int warm = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Path dir = Files.createTempDirectory("sandbox-bench");
        Path bundle = dir.resolve("bundle");
        Files.createDirectories(bundle);
        Files.write(bundle.resolve(Harness.FILE_NAME), Harness.source());
        Files.writeString(bundle.resolve(Harness.SCRIPT_FILE_NAME), "export default () => 1;\n");
        Files.writeString(bundle.resolve("package.json"), "{\"type\":\"module\"}\n");
        String image = "bundle:" + bundle;
        var d = RuntimeLimits.defaults();
        // -Dcpus: the sandbox's CPU quota (a cgroup's; the unisolated runtime has none), 1.0 like the executor's
        // default
        double cpus = Double.parseDouble(System.getProperty("cpus", "1.0"));
        var limits = new RuntimeLimits(
                d.maxResultBytes(),
                d.maxLogLines(),
                d.maxLineChars(),
                d.pidsLimit(),
                cpus,
                d.tmpMb(),
                d.defaultMemoryMb(),
                d.startTimeout());
        var warmSettings = new HarnessScriptRuntime.WarmSettings(4, Duration.ofSeconds(30), 1);
        try (var sandboxed = new ProcessScriptRuntime("node", dir.resolve("a"), limits, warmSettings);
                var bare = new ProcessScriptRuntime(
                        "node", dir.resolve("b"), limits, warmSettings, ProcessScriptRuntime.Isolation.unsafeNone())) {
            // warm-up: the JIT, the page cache, the cgroup tree
            for (int i = 0; i < 5; i++) {
                time(sandboxed, image, UUID.randomUUID());
                time(bare, image, UUID.randomUUID());
            }
            var coldSandboxed = new ArrayList<Long>();
            var coldBare = new ArrayList<Long>();
            for (int i = 0; i < cold; i++) {
                coldSandboxed.add(time(sandboxed, image, UUID.randomUUID()));
                coldBare.add(time(bare, image, UUID.randomUUID()));
            }
            UUID hotSandboxed = UUID.randomUUID();
            UUID hotBare = UUID.randomUUID();
            time(sandboxed, image, hotSandboxed);
            time(bare, image, hotBare);
            var warmSandboxed = new ArrayList<Long>();
            var warmBare = new ArrayList<Long>();
            for (int i = 0; i < warm; i++) {
                warmSandboxed.add(time(sandboxed, image, hotSandboxed));
                warmBare.add(time(bare, image, hotBare));
            }
            System.out.println("cold start + first call, sandboxed:   " + summary(coldSandboxed));
            System.out.println("cold start + first call, unisolated:  " + summary(coldBare));
            System.out.println("warm call, sandboxed:                 " + summary(warmSandboxed));
            System.out.println("warm call, unisolated:                " + summary(warmBare));
        }
    }

    private static long time(ProcessScriptRuntime runtime, String image, UUID scriptId) {
        var invocation = new Invocation(
                UUID.randomUUID(),
                scriptId,
                1,
                image,
                TriggerKind.MANUAL,
                "{}",
                Duration.ofSeconds(30),
                128,
                Map.of(),
                null);
        long start = System.nanoTime();
        var outcome = runtime.run(invocation, DISCARD);
        long nanos = System.nanoTime() - start;
        if (outcome.status() != RunStatus.SUCCEEDED) throw new IllegalStateException("run failed: " + outcome);
        return nanos;
    }

    private static String summary(List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        double mean = Arrays.stream(sorted).average().orElse(0);
        return String.format(
                "n=%d median %.2f ms, p90 %.2f ms, mean %.2f ms",
                sorted.length, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.9)] / 1e6, mean / 1e6);
    }
}

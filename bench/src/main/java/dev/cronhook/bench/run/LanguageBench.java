package dev.cronhook.bench.run;

import dev.cronhook.builder.BuildPipeline;
import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.image.ImageTarget;
import dev.cronhook.builder.image.JibImageBuilder;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.npm.NpmDependencyInstaller;
import dev.cronhook.builder.npm.NpmSettings;
import dev.cronhook.builder.pip.PipDependencyInstaller;
import dev.cronhook.builder.pip.PipSettings;
import dev.cronhook.builder.pip.TestPackageIndex;
import dev.cronhook.core.build.BuildRequest;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogSink;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Node.js and Python side by side (issue 25), on the real builder (registry on 127.0.0.1:5000, this host's node and
 * python3 as bases) and the Docker runtime: code-only rebuild, a new Python requirement with pip's cache warm, cold
 * start with the image present, and a warm call, runtime only. Args: [rebuilds] [coldRuns] [warmRuns].
 */
public final class LanguageBench {
    private static final String REGISTRY = System.getProperty("registry", "127.0.0.1:5000");
    private static final String NODE = "export default async function (event, ctx) { return { hello: %d }; }\n";
    private static final String PYTHON = "def handler(event, ctx):\n    return {\"hello\": %d}\n";

    private LanguageBench() {}

    public static void main(String[] args) throws Exception {
        int rebuilds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int coldRuns = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmRuns = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        Path cache = Files.createTempDirectory("cronhook-language-bench");
        var retry = new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1));
        try (var index = new TestPackageIndex();
                var images = new JibImageBuilder(
                        new ImageTarget.Registry(REGISTRY, null, null, true), "host", null, cache, retry)) {
            for (int i = 0; i < rebuilds + 2; i++) index.publish("bench-pkg-" + i, "1.0.0", "X = " + i + "\n");
            var pip = new PipDependencyInstaller(
                    cache, PipSettings.defaults().withIndexUrl(index.url()).withRetry(retry));
            var npm = new NpmDependencyInstaller(cache, NpmSettings.defaults().withRetry(retry));
            var pipeline = new BuildPipeline(Map.of("npm", npm, "pip", pip), images, Clock.systemUTC());
            images.prepare();
            for (String language : new String[] {"node", "python"}) {
                String code = language.equals("node") ? NODE : PYTHON;
                UUID id = UUID.randomUUID();
                long t0 = System.nanoTime();
                var first = build(pipeline, id, 1, code.formatted(0), Map.of(), language);
                System.out.printf(
                        "%s: first build %.0f ms (%s)%n", language, (System.nanoTime() - t0) / 1e6, first.imageRef());
                long[] rebuild = new long[rebuilds];
                for (int i = 0; i < rebuilds; i++) {
                    long t = System.nanoTime();
                    build(pipeline, id, i + 2, code.formatted(i + 1), Map.of(), language);
                    rebuild[i] = System.nanoTime() - t;
                }
                report(language + ": code-only rebuild", rebuild);
                if (language.equals("python")) {
                    // pip's HTTP cache holds each wheel already (another build fetched it), its tree does not exist
                    var warmer = new PipDependencyInstaller(
                            cache.resolve("warmer"), PipSettings.defaults().withIndexUrl(index.url()));
                    long[] added = new long[rebuilds];
                    for (int i = 0; i < rebuilds; i++) {
                        var reqs = Map.of("bench-pkg-" + i, "==1.0.0");
                        warmer.install(reqs, null, BuildLog.detached());
                        copyHttpCache(cache.resolve("warmer/pip/http"), cache.resolve("pip/http"));
                        long t = System.nanoTime();
                        build(pipeline, id, 100 + i, code.formatted(i), reqs, language);
                        added[i] = System.nanoTime() - t;
                    }
                    report(language + ": new requirement, pip's cache warm", added);
                }
                runs(first.imageRef(), id, coldRuns, warmRuns, language);
            }
        }
    }

    private static BuildResult build(
            BuildPipeline pipeline, UUID id, int version, String code, Map<String, String> deps, String language)
            throws InterruptedException {
        var result = pipeline.build(
                new BuildRequest(id, version, code, new LinkedHashMap<>(deps), null, Instant.now(), language),
                BuildLog.detached());
        if (result.imageRef() == null) throw new IllegalStateException(result.log());
        return result;
    }

    private static void copyHttpCache(Path from, Path to) throws Exception {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else if (!Files.exists(target)) Files.copy(f, target);
            }
        }
    }

    private static void runs(String image, UUID scriptId, int coldRuns, int warmRuns, String language)
            throws Exception {
        var docker = DockerScriptRuntime.client("unix:///var/run/docker.sock");
        Path sockets = Files.createTempDirectory("cronhook-lb");
        try (var cold = new DockerScriptRuntime(
                docker,
                "none",
                "bench-language-cold",
                RuntimeLimits.defaults(),
                new HarnessScriptRuntime.WarmSettings(0, Duration.ofMinutes(1), 8),
                sockets,
                DockerScriptRuntime.OCI_AUTO)) {
            cold.run(invocation(scriptId, image), LogSink.DISCARD); // pulls the image
            long[] ms = new long[coldRuns];
            for (int i = 0; i < coldRuns; i++) {
                long t = System.nanoTime();
                var outcome = cold.run(invocation(scriptId, image), LogSink.DISCARD);
                ms[i] = System.nanoTime() - t;
                if (!outcome.status().name().equals("SUCCEEDED")) throw new IllegalStateException(outcome.toString());
                Thread.sleep(300); // the used container is removed off this thread: let the engine finish
            }
            report(language + ": cold start, image present", ms);
        }
        try (var warm = new DockerScriptRuntime(
                docker,
                "none",
                "bench-language-warm",
                RuntimeLimits.defaults(),
                new HarnessScriptRuntime.WarmSettings(1, Duration.ofMinutes(5), 8),
                sockets,
                DockerScriptRuntime.OCI_AUTO)) {
            for (int i = 0; i < 100; i++) warm.run(invocation(scriptId, image), LogSink.DISCARD);
            long[] ms = new long[warmRuns];
            for (int i = 0; i < warmRuns; i++) {
                long t = System.nanoTime();
                warm.run(invocation(scriptId, image), LogSink.DISCARD);
                ms[i] = System.nanoTime() - t;
            }
            report(language + ": warm call, runtime only", ms);
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

    private static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(
                "%s: n=%d p50=%.2f ms p90=%.2f ms max=%.2f ms%n",
                what, s.length, s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[s.length - 1] / 1e6);
    }
}

package dev.cronhook.bench.build;

import dev.cronhook.builder.BuildPipeline;
import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.image.ImageTarget;
import dev.cronhook.builder.image.JibImageBuilder;
import dev.cronhook.builder.npm.NpmDependencyInstaller;
import dev.cronhook.builder.npm.NpmSettings;
import dev.cronhook.builder.worker.BuildWorker;
import dev.cronhook.core.build.BuildRequest;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Request-to-READY latency of the builder, through the real queue: a {@link BuildRequest} is XADDed to the builds
 * stream and the clock stops when the READY result appears on the results stream. Scenarios: the first build of
 * all (empty cache dir: cold npm cache, no node_modules, no jib layer cache), a new dependency set with a warm npm
 * cache, and a code-only change. Args: {@code [registry] [redis-url] [iterations]}; defaults
 * {@code 127.0.0.1:5000 redis://127.0.0.1:6379/12 10}.
 */
public final class BuildBench {
    /** Small packages whose combinations give new lockfiles while their tarballs sit in the npm cache. */
    private static final List<String> PACKAGES =
            List.of("ms", "dayjs", "lodash", "uuid", "nanoid", "kleur", "picocolors", "semver", "date-fns");

    private final StatefulRedisConnection<String, String> redis;
    private String lastResultId = "0-0";

    private BuildBench(StatefulRedisConnection<String, String> redis) {
        this.redis = redis;
    }

    /** One builder process: its worker, its image builder and the pipeline they share. */
    private record Builder(BuildWorker worker, JibImageBuilder images, BuildPipeline pipeline)
            implements AutoCloseable {
        static Builder start(
                RedisClient client,
                StatefulRedisConnection<String, String> connection,
                String registry,
                Path cache,
                boolean prepareFirst) {
            var retry = RetryPolicy.defaults();
            var images = new JibImageBuilder(
                    new ImageTarget.Registry(registry, null, null, true), "host", null, cache, retry);
            var npm = new NpmDependencyInstaller(cache, NpmSettings.defaults().withRetry(retry));
            var pipeline = new BuildPipeline(npm, images, Clock.systemUTC());
            if (prepareFirst) pipeline.prepare();
            var worker = dev.cronhook.builder.worker.redis.RedisBuildWorkers.create(
                    client,
                    connection,
                    pipeline,
                    new BuildWorker.Settings(
                            "bench-builder", 1, Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(5)),
                    Clock.systemUTC());
            worker.start();
            return new Builder(worker, images, pipeline);
        }

        @Override
        public void close() {
            worker.close();
            images.close();
        }
    }

    public static void main(String[] args) throws Exception {
        String registry = args.length > 0 ? args[0] : "127.0.0.1:5000";
        String redisUrl = args.length > 1 ? args[1] : "redis://127.0.0.1:6379/12";
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        var client = RedisClient.create(redisUrl);
        var connection = client.connect();
        connection.sync().del(Streams.BUILDS, Streams.BUILD_RESULTS);
        // the bench blocks on XREAD: its own connection, so the worker's commands are not stuck behind it
        var reader = client.connect();
        var bench = new BuildBench(reader);
        var lodashAndDayjs = Map.of("lodash", "^4.17.21", "dayjs", "^1.11.0");
        System.out.printf("registry %s, %d iterations%n", registry, iterations);
        try {
            long t = System.nanoTime();
            try (var builder = Builder.start(
                    client, connection, registry, Files.createTempDirectory("cronhook-bench-cold"), false)) {
                var first =
                        bench.build(new BuildRequest(UUID.randomUUID(), 1, code("first"), lodashAndDayjs, null, now()));
                System.out.printf(
                        "first build of all, request sent as the builder starts (empty cache dir: cold npm cache, "
                                + "runtime layer not yet compressed): %d ms%n",
                        first);
            }

            Path cache = Files.createTempDirectory("cronhook-bench-build");
            t = System.nanoTime();
            try (var builder = Builder.start(client, connection, registry, cache, true)) {
                System.out.printf(
                        "builder start-up preparation (runtime layer compressed): %d ms%n",
                        (System.nanoTime() - t) / 1_000_000);
                var first =
                        bench.build(new BuildRequest(UUID.randomUUID(), 1, code("first"), lodashAndDayjs, null, now()));
                System.out.printf(
                        "first build of all after start-up (cold npm cache, no node_modules, new repository): %d ms%n",
                        first);

                // warm the npm cache with every package once; every pair below is then a new lockfile
                var warm = new LinkedHashMap<String, String>();
                for (String p : PACKAGES) warm.put(p, "*");
                bench.build(new BuildRequest(UUID.randomUUID(), 1, code("warm"), warm, null, now()));
                var pairs = new ArrayList<Map<String, String>>();
                for (int a = 0; a < PACKAGES.size(); a++) {
                    for (int b = a + 1; b < PACKAGES.size(); b++) {
                        pairs.add(Map.of(PACKAGES.get(a), "*", PACKAGES.get(b), "*"));
                    }
                }
                // one script whose every new version changes its dependencies (a new lockfile, packages in the npm
                // cache); and, separately, new scripts whose first version has a new dependency set
                var evolving = UUID.randomUUID();
                bench.build(new BuildRequest(evolving, 1, code("e1"), Map.of("ms", "*"), null, now()));
                var newDependency = new ArrayList<Long>();
                var newScriptNewDependency = new ArrayList<Long>();
                for (int i = 0; i < Math.min(iterations * 2, pairs.size()); i++) {
                    var request = i % 2 == 0
                            ? new BuildRequest(evolving, 2 + i, code("dep" + i), pairs.get(i), null, now())
                            : new BuildRequest(UUID.randomUUID(), 1, code("dep" + i), pairs.get(i), null, now());
                    (i % 2 == 0 ? newDependency : newScriptNewDependency).add(bench.build(request));
                }
                report("new dependency set in a new version, warm npm cache", newDependency);
                report("new dependency set in a new script, warm npm cache", newScriptNewDependency);

                var script = UUID.randomUUID();
                bench.build(new BuildRequest(script, 1, code("v1"), lodashAndDayjs, null, now()));
                var codeOnly = new ArrayList<Long>();
                for (int v = 2; v < 2 + iterations * 2; v++) {
                    codeOnly.add(bench.build(new BuildRequest(script, v, code("v" + v), lodashAndDayjs, null, now())));
                }
                report("code-only change, dependencies cached", codeOnly);

                var newScript = new ArrayList<Long>();
                for (int i = 0; i < iterations; i++) {
                    newScript.add(bench.build(
                            new BuildRequest(UUID.randomUUID(), 1, code("n" + i), lodashAndDayjs, null, now())));
                }
                report("first version of a new script, dependencies cached", newScript);

                var noDeps = new ArrayList<Long>();
                var plain = UUID.randomUUID();
                for (int v = 1; v <= iterations * 2; v++) {
                    noDeps.add(bench.build(new BuildRequest(plain, v, code("p" + v), Map.of(), null, now())));
                }
                report("code-only change, no dependencies", noDeps);
            }
        } finally {
            reader.close();
            connection.close();
            client.shutdown();
        }
    }

    private static Instant now() {
        return Instant.now();
    }

    private static String code(String marker) {
        return "export default async function (event, ctx) { return '" + marker + "'; }\n";
    }

    /** Enqueues the request and waits for its final result; returns the milliseconds from XADD to READY. */
    private long build(BuildRequest request) {
        long start = System.nanoTime();
        redis.sync().xadd(Streams.BUILDS, Map.of("m", Wire.json().writeValueAsString(request)));
        while (true) {
            var messages = redis.sync()
                    .xread(
                            XReadArgs.Builder.block(Duration.ofSeconds(5)),
                            XReadArgs.StreamOffset.from(Streams.BUILD_RESULTS, lastResultId));
            for (var m : messages) {
                lastResultId = m.getId();
                var result = Wire.json().readValue(m.getBody().get("m"), BuildResult.class);
                if (!result.scriptId().equals(request.scriptId()) || result.version() != request.version()) continue;
                if (result.state() == BuildState.FAILED) {
                    throw new IllegalStateException("build failed: " + result.error() + "\n" + result.log());
                }
                if (result.state() == BuildState.READY) return (System.nanoTime() - start) / 1_000_000;
            }
        }
    }

    private static void report(String scenario, List<Long> millis) {
        var sorted = millis.stream().sorted().toList();
        System.out.printf(
                "%s: n=%d p50=%d ms p90=%d ms min=%d ms max=%d ms%n",
                scenario,
                sorted.size(),
                sorted.get((sorted.size() - 1) / 2),
                sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.9) - 1)),
                sorted.getFirst(),
                sorted.getLast());
    }
}

package dev.cronhook.builder.worker;

import static dev.cronhook.builder.Scripts.aScript;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.builder.BuildPipeline;
import dev.cronhook.builder.RedisTestSupport;
import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.Scripts;
import dev.cronhook.builder.image.BundleImageBuilder;
import dev.cronhook.builder.image.ImageBuilder;
import dev.cronhook.builder.image.ImageTarget;
import dev.cronhook.builder.image.JibImageBuilder;
import dev.cronhook.builder.npm.NpmDependencyInstaller;
import dev.cronhook.builder.npm.NpmSettings;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.redis.Streams;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build worker on the real Redis streams, with the real npm registry and the registry on 127.0.0.1:5000. */
class BuildWorkerIT {
    static final Path CACHE = Path.of("target/it-cache").toAbsolutePath();
    static final String REGISTRY = System.getenv().getOrDefault("CRONHOOK_TEST_REGISTRY", "127.0.0.1:5000");

    private final RedisTestSupport redis = new RedisTestSupport();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @TempDir
    Path bundles;

    @BeforeEach
    void emptyStreams() {
        redis.clearBuildStreams();
    }

    @AfterEach
    void stop() throws Exception {
        for (var c : closeAfter.reversed()) c.close();
        redis.clearBuildStreams();
        redis.close();
    }

    private BuildWorker worker(String name, ImageBuilder images) {
        return worker(name, images, NpmSettings.defaults());
    }

    private BuildWorker worker(String name, ImageBuilder images, NpmSettings npmSettings) {
        var npm = new NpmDependencyInstaller(
                CACHE, npmSettings.withRetry(new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1))));
        var worker = dev.cronhook.builder.worker.redis.RedisBuildWorkers.create(
                redis.client,
                redis.connection,
                new BuildPipeline(npm, images, Clock.systemUTC()),
                new BuildWorker.Settings(name, 2, Duration.ofSeconds(1), Duration.ofDays(1), Duration.ofSeconds(5)),
                Clock.systemUTC());
        closeAfter.add(worker);
        return worker;
    }

    private List<BuildState> states(List<BuildResult> results) {
        return results.stream().map(BuildResult::state).toList();
    }

    @Test
    void aQueuedBuildIsReportedBuildingThenReadyWithItsImageAndItsLogIsLive() throws Exception {
        var images = new JibImageBuilder(
                new ImageTarget.Registry(REGISTRY, null, null, true),
                "host",
                null,
                CACHE,
                new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1)));
        closeAfter.add(images);
        worker("builder-a", images).start();
        var script = aScript().withDependency("dayjs", "^1.11.0").withCode(Scripts.lodashAndDayjsCode("queued"));

        redis.enqueue(script.version(1));

        await().atMost(Duration.ofSeconds(60))
                .until(() -> redis.resultsFor(script.id()).size() == 2);
        var results = redis.resultsFor(script.id());
        assertThat(states(results)).containsExactly(BuildState.BUILDING, BuildState.READY);
        var ready = results.get(1);
        assertThat(ready.imageRef()).startsWith(REGISTRY + "/cronhook/scripts/" + script.id() + "@sha256:");
        assertThat(ready.lockfile()).contains("node_modules/dayjs");
        assertThat(ready.log())
                .contains("started by builder-a", "node_modules for lockfile", "pushed " + ready.imageRef());
        var live = redis.buildLog(script.id(), 1);
        assertThat(live.getFirst()).containsKeys("t", "stream", "line");
        assertThat(live).anySatisfy(entry -> assertThat(entry).containsEntry("stream", "system"));
        assertThat(live.getLast()).containsEntry("end", "READY");
        assertThat(redis.connection.sync().ttl(Streams.buildLog(script.id(), 1)))
                .isPositive();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> redis.connection
                                .sync()
                                .xpending(Streams.BUILDS, BuildWorker.GROUP)
                                .getCount()
                        == 0);
    }

    @Test
    void aBadPackageFailsTheBuildWithNpmsMessageInItsLog() {
        worker("builder-a", new BundleImageBuilder(bundles)).start();
        var script = aScript().withDependency("cronhook-no-such-package-4f1c9e", "^1.0.0");

        redis.enqueue(script.version(1));

        await().atMost(Duration.ofSeconds(60))
                .until(() -> redis.resultsFor(script.id()).size() == 2);
        var failed = redis.resultsFor(script.id()).get(1);
        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.error()).contains("E404");
        assertThat(failed.log()).contains("npm error code E404");
        var live = redis.buildLog(script.id(), 1);
        assertThat(live).anySatisfy(entry -> assertThat(entry)
                .containsEntry("stream", "stderr")
                .containsEntry("line", "npm error code E404"));
        assertThat(live.getLast()).containsEntry("end", "FAILED");
    }

    @Test
    void aStoppingBuilderLeavesTheBuildItCannotFinishToAnother() throws Exception {
        var script = aScript().withDependency("cronhook-stop-test-never-answered", "^1.0.0");
        try (var blackHole = new ServerSocket(0)) {
            var accepted = new ArrayList<Socket>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) accepted.add(blackHole.accept()); // and never answer
                } catch (IOException e) {
                    // closed by the test
                }
            });
            var stuck = worker(
                    "builder-stuck",
                    new BundleImageBuilder(bundles),
                    NpmSettings.defaults()
                            .withRegistry("http://127.0.0.1:" + blackHole.getLocalPort() + "/")
                            .withTimeout(Duration.ofMinutes(2)));
            stuck.start();
            redis.enqueue(script.version(1));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> states(redis.resultsFor(script.id())).contains(BuildState.BUILDING));

            stuck.close(); // stop grace 5 s, then the npm run is interrupted and killed

            assertThat(redis.connection
                            .sync()
                            .xpending(Streams.BUILDS, BuildWorker.GROUP)
                            .getCount())
                    .isEqualTo(1);
            assertThat(states(redis.resultsFor(script.id()))).containsExactly(BuildState.BUILDING);
            for (var s : accepted) s.close();
        }

        worker("builder-b", new BundleImageBuilder(bundles)).start();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> states(redis.resultsFor(script.id())).contains(BuildState.FAILED));
        var failed = redis.resultsFor(script.id()).getLast();
        assertThat(failed.log()).contains("taking over a build that another builder did not finish", "E404");
    }

    @Test
    void aVersionDeliveredTwiceToOneBuilderIsBuiltOnce() throws Exception {
        // npm is made slow so that the second delivery surely arrives while the first build runs
        var slowNpm = NpmSettings.defaults()
                .withResolutionTtl(Duration.ZERO)
                .withCommand(List.of("sh", "-c", "sleep 2; exec npm \"$@\"", "npm"));
        var worker = worker("builder-a", new BundleImageBuilder(bundles), slowNpm);
        var request = aScript().withDependency("ms", "^2.1.0").version(1);

        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var first = pool.submit(() -> {
                worker.handle(new WorkQueue.Delivery<>("1-0", request, 1));
                return null;
            });
            var second = pool.submit(() -> {
                Thread.sleep(500);
                worker.handle(new WorkQueue.Delivery<>("1-0", request, 2));
                return null;
            });
            first.get();
            second.get();
        }

        assertThat(states(redis.resultsFor(request.scriptId()))).containsExactly(BuildState.BUILDING, BuildState.READY);
    }

    @Test
    void theBuildOfAKilledBuilderIsFinishedByAnother() {
        var sync = redis.connection.sync();
        try {
            sync.xgroupCreate(
                    XReadArgs.StreamOffset.from(Streams.BUILDS, "0"),
                    BuildWorker.GROUP,
                    XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException e) {
            // created by an earlier test
        }
        var script = aScript().withCode("export default async () => 'survived';\n");
        redis.enqueue(script.version(7));
        // a builder takes the request and dies without acknowledging it
        var taken = sync.xreadgroup(
                Consumer.from(BuildWorker.GROUP, "builder-that-dies"),
                XReadArgs.Builder.count(1),
                XReadArgs.StreamOffset.lastConsumed(Streams.BUILDS));
        assertThat(taken).hasSize(1);

        worker("builder-b", new BundleImageBuilder(bundles)).start();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> states(redis.resultsFor(script.id())).contains(BuildState.READY));
        var ready = redis.resultsFor(script.id()).getLast();
        assertThat(ready.imageRef()).startsWith("bundle:");
        var live = redis.buildLog(script.id(), 7);
        assertThat(live.getFirst().get("line")).startsWith("delivery 2: taking over");
        assertThat(live.getLast()).containsEntry("end", "READY");
        assertThat(ready.log()).contains("taking over a build that another builder did not finish", "builder-b");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> sync.xpending(Streams.BUILDS, BuildWorker.GROUP).getCount() == 0);
    }
}

package dev.cronhook.builder.npm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.log.BuildLog;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the real npm registry (and, for the faults, registries that refuse or never answer). */
class NpmDependencyInstallerIT {
    /** Shared between tests so the npm cache is warm; each tree is keyed by its lockfile anyway. */
    static final Path SHARED_CACHE = Path.of("target/it-cache").toAbsolutePath();

    static final RetryPolicy QUICK_RETRY = new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1));

    private static NpmDependencyInstaller installer(Path cache, NpmSettings settings) {
        return new NpmDependencyInstaller(cache, settings.withRetry(QUICK_RETRY));
    }

    private static NpmDependencyInstaller installer() {
        return installer(SHARED_CACHE, NpmSettings.defaults().withResolutionTtl(Duration.ZERO));
    }

    @Test
    void dependenciesAreInstalledIntoATreeKeyedByTheLockfileHash() throws Exception {
        var log = BuildLog.detached();

        var installed = installer().install(Map.of("dayjs", "^1.11.0"), null, log);

        assertThat(installed.lockfile()).contains("\"node_modules/dayjs\"");
        assertThat(installed.lockfileHash()).hasSize(64);
        assertThat(installed.nodeModules().getParent().getFileName().toString()).isEqualTo(installed.lockfileHash());
        assertThat(installed.nodeModules().resolve("dayjs/package.json")).exists();
        assertThat(log.text()).contains("--package-lock-only");
    }

    @Test
    void aScriptWithoutDependenciesNeverRunsNpm() throws Exception {
        var log = BuildLog.detached();
        var noNpm = installer(SHARED_CACHE, NpmSettings.defaults().withCommand(List.of("false")));

        var installed = noNpm.install(Map.of(), null, log);

        assertThat(installed.isEmpty()).isTrue();
        assertThat(log.text()).contains("no dependencies: npm skipped");
    }

    @Test
    void aPackageThatDoesNotExistFailsWithNpmsMessageInTheLog() {
        var log = BuildLog.detached();

        assertThatThrownBy(() -> installer().install(Map.of("cronhook-no-such-package-4f1c9e", "^1.0.0"), null, log))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("E404")
                .hasMessageContaining("cronhook-no-such-package-4f1c9e");
        assertThat(log.text()).contains("[stderr] npm error code E404");
        assertThat(log.text()).doesNotContain("attempt 2");
    }

    @Test
    void aVersionRangeThatMatchesNothingFailsWithNpmsMessage() {
        var log = BuildLog.detached();

        assertThatThrownBy(() -> installer().install(Map.of("lodash", "^999.0.0"), null, log))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("ETARGET")
                .hasMessageContaining("lodash");
        assertThat(log.text()).contains("npm error code ETARGET");
    }

    @Test
    void aDependencySpecThatIsNotARegistryRangeIsRefusedBeforeNpmRuns() {
        var log = BuildLog.detached();

        assertThatThrownBy(() -> installer().install(Map.of("evil", "git+ssh://example.com/evil.git"), null, log))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("URL, git, GitHub and file: specs are not allowed");
        assertThat(log.text()).doesNotContain("$ npm");
    }

    @Test
    void aTreeOverTheSizeLimitFailsAndIsNotCached(@TempDir Path cache) {
        var log = BuildLog.detached();
        var small = installer(cache, NpmSettings.defaults().withMaxNodeModulesBytes(1024 * 1024));

        assertThatThrownBy(() -> small.install(Map.of("lodash", "^4.17.21"), null, log))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("over the limit of 1 MB (cronhook.builder.max-node-modules-mb)");
        assertThat(cache.resolve("modules")).isEmptyDirectory();
    }

    @Test
    void aGivenLockfileIsInstalledExactlyEvenWhenANewerVersionMatches() throws Exception {
        var pinned = installer().install(Map.of("lodash", "4.17.20"), null, BuildLog.detached());
        String lockfile = pinned.lockfile().replace("\"lodash\": \"4.17.20\"", "\"lodash\": \"^4.17.0\"");
        var log = BuildLog.detached();

        var installed = installer().install(Map.of("lodash", "^4.17.0"), lockfile, log);

        assertThat(installed.lockfile()).isEqualTo(lockfile);
        assertThat(Files.readString(installed.nodeModules().resolve("lodash/package.json")))
                .contains("\"version\": \"4.17.20\"");
        assertThat(log.text()).contains("installing exactly the given package-lock.json");
    }

    @Test
    void twoConcurrentBuildsOfTheSameDependenciesInstallThemOnce(@TempDir Path cache) throws Exception {
        var shared = installer(cache, NpmSettings.defaults());
        var logs = new CopyOnWriteArrayList<BuildLog>();
        try (var pool = Executors.newFixedThreadPool(2)) {
            var builds = List.of(0, 1).stream()
                    .map(i -> pool.submit(() -> {
                        var log = BuildLog.detached();
                        logs.add(log);
                        return shared.install(Map.of("ms", "^2.1.0"), null, log);
                    }))
                    .toList();
            var first = builds.get(0).get();
            var second = builds.get(1).get();

            assertThat(first.nodeModules()).isEqualTo(second.nodeModules());
        }
        long installs = logs.stream()
                .mapToLong(l -> l.text()
                        .lines()
                        .filter(line -> line.startsWith("$ npm ci"))
                        .count())
                .sum();
        assertThat(installs).isEqualTo(1);
        try (var trees = Files.list(cache.resolve("modules"))) {
            assertThat(trees.toList()).hasSize(1);
        }
    }

    @Test
    void anUnreachableRegistryIsRetriedThenFailsWithTheReason(@TempDir Path cache) throws IOException {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var log = BuildLog.detached();
        var unreachable = installer(cache, NpmSettings.defaults().withRegistry("http://127.0.0.1:" + closedPort + "/"));

        assertThatThrownBy(() -> unreachable.install(Map.of("lodash", "^4.17.21"), null, log))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("failed after 2 attempts")
                .hasMessageContaining("ECONNREFUSED");
        assertThat(log.text()).contains("attempt 2 of 2");
    }

    @Test
    void anNpmRunThatHangsIsKilledAtTheTimeout(@TempDir Path cache) throws Exception {
        var accepted = new CopyOnWriteArrayList<Socket>();
        try (var blackHole = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) accepted.add(blackHole.accept()); // and never answer
                } catch (IOException e) {
                    // closed by the test
                }
            });
            var log = BuildLog.detached();
            var hanging = installer(
                    cache,
                    NpmSettings.defaults()
                            .withRegistry("http://127.0.0.1:" + blackHole.getLocalPort() + "/")
                            .withTimeout(Duration.ofSeconds(3)));

            assertThatThrownBy(() -> hanging.install(Map.of("lodash", "^4.17.21"), null, log))
                    .isInstanceOf(BuildFailedException.class)
                    .hasMessageContaining("did not finish within 3 s")
                    .hasMessageContaining("was killed");
        } finally {
            for (var s : accepted) s.close();
        }
    }
}

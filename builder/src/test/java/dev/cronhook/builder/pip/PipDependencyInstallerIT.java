package dev.cronhook.builder.pip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.builder.BuildFailedException;
import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.log.BuildLogSink;
import dev.cronhook.core.build.BuildState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pip against a package index this test serves on 127.0.0.1 from wheels it writes itself. */
class PipDependencyInstallerIT {
    static final RetryPolicy QUICK_RETRY = new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1));
    static TestPackageIndex index;

    @TempDir
    Path cache;

    @BeforeAll
    static void serveIndex() {
        index = new TestPackageIndex()
                .publish("tinybase", "1.0.0", "X = 1\n")
                .publish("tinybase", "1.2.0", "X = 2\n")
                .publish("tiny-greet", "1.0.0", "def greet(n):\n    return 'hello ' + n\n", "tinybase>=1.1");
    }

    @AfterAll
    static void stopIndex() {
        index.close();
    }

    private PipDependencyInstaller installer(PipSettings settings) {
        return new PipDependencyInstaller(
                cache, settings.withIndexUrl(index.url()).withRetry(QUICK_RETRY));
    }

    private PipDependencyInstaller installer() {
        return installer(PipSettings.defaults().withResolutionTtl(Duration.ZERO));
    }

    @Test
    void requirementsResolveToALockOfExactVersionsAndWheelHashesInstalledIntoATreeKeyedByIt() throws Exception {
        var lines = new CopyOnWriteArrayList<String>();
        var log = new BuildLog(
                new BuildLogSink() {
                    @Override
                    public void line(long millis, BuildLog.Source source, String line) {
                        lines.add(line);
                    }

                    @Override
                    public void end(long millis, BuildState outcome) {}
                },
                Clock.systemUTC());

        var installed = installer().install(Map.of("tiny-greet", ">=1.0"), null, log);

        assertThat(installed.lockfile().lines().toList())
                .containsExactly(
                        "tiny_greet==1.0.0 --hash=sha256:" + index.hashOf("tiny-greet", "1.0.0"),
                        "tinybase==1.2.0 --hash=sha256:" + index.hashOf("tinybase", "1.2.0"));
        assertThat(installed.nodeModules().getParent().getFileName().toString()).isEqualTo(installed.lockfileHash());
        assertThat(installed.nodeModules().resolve("tiny_greet/__init__.py")).exists();
        assertThat(installed.nodeModules().resolve("tinybase/__init__.py"))
                .content()
                .isEqualTo("X = 2\n");
        assertThat(lines).as("pip's own lines, live").anyMatch(l -> l.contains("Successfully installed"));
        assertThat(lines).contains("resolved tiny_greet==1.0.0", "resolved tinybase==1.2.0");
    }

    @Test
    void theSameRequirementsReuseTheInstalledTreeAndAGivenLockIsInstalledWithoutResolving() throws Exception {
        var first = installer().install(Map.of("tinybase", "==1.0.0"), null, BuildLog.detached());
        var again = BuildLog.detached();

        var second = installer().install(Map.of("tinybase", "==1.0.0"), null, again);
        var fresh = new PipDependencyInstaller(
                        cache.resolve("other"),
                        PipSettings.defaults().withIndexUrl(index.url()).withRetry(QUICK_RETRY))
                .install(Map.of(), first.lockfile(), BuildLog.detached());

        assertThat(second.nodeModules()).isEqualTo(first.nodeModules());
        assertThat(again.text()).contains("already installed").doesNotContain("pip install");
        assertThat(fresh.lockfile()).isEqualTo(first.lockfile());
        assertThat(fresh.nodeModules().resolve("tinybase/__init__.py"))
                .content()
                .isEqualTo("X = 1\n");
    }

    @Test
    void aRequirementThatIsNotANameAndSpecifierIsRefusedBeforePipRuns() {
        for (var bad : List.of(
                Map.of("tinybase", ">=1\n--index-url http://evil.example/"),
                Map.of("tinybase", "@ https://evil.example/x.whl"),
                Map.of("-e .", ""),
                Map.of("tinybase; os_name == 'posix'", ""))) {
            assertThatThrownBy(() -> installer().install(bad, null, BuildLog.detached()))
                    .isInstanceOf(BuildFailedException.class)
                    .hasMessageContaining("requirement");
        }
    }

    @Test
    void aLockWithAnythingButPinnedHashedLinesIsRefused() {
        assertThatThrownBy(() ->
                        installer().install(Map.of(), "--extra-index-url http://evil.example/\n", BuildLog.detached()))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("not 'name==version --hash=sha256:...'");
    }

    @Test
    void aPackageTheIndexDoesNotHaveFailsWithPipsReason() {
        assertThatThrownBy(() -> installer().install(Map.of("no-such-package", ""), null, BuildLog.detached()))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("pip download failed")
                .hasMessageContaining("no-such-package");
    }

    @Test
    void aTreeOverTheSizeLimitFailsTheBuild() {
        var tiny = installer(PipSettings.defaults().withMaxTreeBytes(10));

        assertThatThrownBy(() -> tiny.install(Map.of("tinybase", "==1.2.0"), null, BuildLog.detached()))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("over the limit")
                .hasMessageContaining("max-site-packages-mb");
        assertThat(cache.resolve("pip/trees")).isEmptyDirectory();
    }

    @Test
    void aScriptWithoutRequirementsNeverRunsPip() throws Exception {
        var log = BuildLog.detached();
        var noPip = installer(PipSettings.defaults().withPython(Path.of("/bin/false")));

        var installed = noPip.install(Map.of(), null, log);

        assertThat(installed.isEmpty()).isTrue();
        assertThat(log.text()).contains("no requirements: pip skipped");
        assertThat(Files.exists(cache.resolve("pip/trees"))).isTrue();
    }
}

package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.ScriptRuntimeContract;
import dev.cronhook.executor.runtime.TestScripts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime contract on the real Docker engine, with an image labelled like the builder's (so the harness speaks
 * on its socket), plus what only a container can promise.
 */
class DockerScriptRuntimeIT extends ScriptRuntimeContract {
    static final String OWNER = "it-" + UUID.randomUUID();
    static DockerClient docker;
    static String image;

    @TempDir
    static Path sockets;

    @BeforeAll
    static void buildImage() {
        docker = TestEngine.client();
        image = TestScripts.image();
    }

    @AfterAll
    static void removeLeftovers() {
        TestEngine.removeContainersOf(docker, OWNER);
    }

    @Override
    protected ScriptRuntime newRuntime(RuntimeLimits limits) {
        return runtime(limits, ociRuntime());
    }

    private DockerScriptRuntime runtimeOn(String ociRuntime) {
        return runtime(limits(), ociRuntime);
    }

    private DockerScriptRuntime runtime(RuntimeLimits limits, String ociRuntime) {
        return new DockerScriptRuntime(
                docker, "none", OWNER, limits, HarnessScriptRuntime.WarmSettings.defaults(), sockets, ociRuntime);
    }

    /** The OCI runtime setting every runtime of this class is made with. */
    protected String ociRuntime() {
        return DockerScriptRuntime.OCI_AUTO;
    }

    /** The engine's name of the OCI runtime the containers of {@link #ociRuntime()} must show. */
    protected String expectedOciRuntime() {
        boolean crunOffered = docker.infoCmd().exec().getRuntimes().containsKey("crun");
        return crunOffered ? "crun" : "runc";
    }

    /**
     * The error codes a script meets writing to the read-only root file system or socket directory as its user: Linux
     * checks for a read-only mount before permissions, so EROFS.
     */
    protected List<String> refusedWriteCodes() {
        return List.of("EROFS");
    }

    @Override
    protected String image() {
        return image;
    }

    @Test
    void theContainerIsHardened() {
        var outcome = runtime.run(scenario("trivial", Map.of()), new Logs());

        var inspected = docker.inspectContainerCmd(outcome.sandboxId()).exec();
        var host = inspected.getHostConfig();
        assertThat(inspected.getConfig().getUser()).isEqualTo("65532:65532");
        assertThat(host.getReadonlyRootfs()).isTrue();
        assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
        assertThat(host.getSecurityOpts()).contains("no-new-privileges");
        assertThat(host.getPidsLimit()).isEqualTo(128L);
        assertThat(host.getMemory()).isEqualTo(128L * 1024 * 1024);
        assertThat(host.getMemorySwap()).isEqualTo(128L * 1024 * 1024);
        assertThat(host.getNanoCPUs()).isEqualTo(1_000_000_000L);
        assertThat(host.getNetworkMode()).isEqualTo("none");
        assertThat(inspected.getConfig().getNetworkDisabled())
                .as("no network hook on start")
                .isTrue();
        assertThat(host.getTmpFs()).containsKey("/tmp");
        assertThat(host.getRuntime()).isEqualTo(expectedOciRuntime());
    }

    @Test
    void anOciRuntimeTheEngineDoesNotOfferIsRefusedWithWhatItHas() {
        assertThatThrownBy(() -> runtimeOn("no-such-runtime"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the Docker engine has no OCI runtime \"no-such-runtime\"")
                .hasMessageContaining("runc");
    }

    @Test
    void theEngineDefaultSettingLeavesTheOciRuntimeToTheEngine() {
        try (var engineDefault = runtimeOn(DockerScriptRuntime.OCI_ENGINE_DEFAULT)) {
            assertThat(engineDefault.ociRuntime()).isEmpty();
            var outcome = engineDefault.run(scenario("trivial", Map.of()), new Logs());

            assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(docker.inspectContainerCmd(outcome.sandboxId())
                            .exec()
                            .getHostConfig()
                            .getRuntime())
                    .isEqualTo("runc");
        }
    }

    @Test
    void theHarnessSpeaksOnASocketMountedReadOnlyWhoseDirectoryGoesWithItsContainer() throws Exception {
        var outcome = runtime.run(scenario("socketDir", Map.of()), new Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        var result = Wire.json().readTree(outcome.resultJson());
        assertThat(result.get("write").asString()).isIn(refusedWriteCodes());
        assertThat(result.get("listen").asString()).isIn(refusedWriteCodes());
        assertThat(result.get("socketEnv").isNull())
                .as("the script does not see the socket's name")
                .isTrue();
        var inspected = docker.inspectContainerCmd(outcome.sandboxId()).exec();
        assertThat(inspected.getConfig().getStdinOpen())
                .as("no stdin through the engine")
                .isFalse();
        assertThat(inspected.getMounts()).singleElement().satisfies(mount -> {
            assertThat(mount.getDestination().getPath()).isEqualTo("/run/cronhook");
            assertThat(mount.getRW()).isFalse();
            assertThat(Path.of(mount.getSource())).startsWith(sockets).isDirectory();
        });
        String source = inspected.getMounts().getFirst().getSource();

        runtime.close();

        assertThat(Path.of(source)).doesNotExist();
        assertThat(docker.listContainersCmd()
                        .withShowAll(true)
                        .withIdFilter(List.of(outcome.sandboxId()))
                        .exec())
                .isEmpty();
    }

    @Test
    void aHarnessThatNeverConnectsFailsTheStartClearlyAndLeavesNothingBehind() {
        var invocation = withImage(scenario("trivial", Map.of()), TestScripts.imageWhoseHarnessNeverConnects());
        try (var quick = runtimeStartingWithin(Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> quick.run(invocation, new Logs()))
                    .hasMessageContaining("its harness did not connect to /run/cronhook/harness.sock within 2000 ms")
                    .hasMessageContaining("it wrote nothing");
        }
        assertThat(socketDirectories()).isEmpty();
        assertThat(containersOf(OWNER + "-quick")).isEmpty();
    }

    @Test
    void aContainerThatExitsBeforeItsHarnessConnectsFailsTheStartWithItsOutput() {
        var invocation = withImage(scenario("trivial", Map.of()), TestScripts.imageWhoseHarnessExitsAtOnce());
        try (var quick = runtimeStartingWithin(Duration.ofSeconds(30))) {
            assertThatThrownBy(() -> quick.run(invocation, new Logs()))
                    .hasMessageContaining("exited (code 3) before its harness connected")
                    .hasMessageContaining("no harness here");
        }
        assertThat(socketDirectories()).isEmpty();
    }

    @Test
    void anImageWithoutTheProtocolLabelIsSpokenToOnStdio() {
        var logs = new Logs();
        var outcome = runtime.run(withImage(scenario("echo", Map.of()), TestScripts.unlabelledImage()), logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(logs.of(LogStream.STDOUT)).containsExactly("hello from webhook");
        assertThat(logs.of(LogStream.STDERR)).containsExactly("a warning");
        var inspected = docker.inspectContainerCmd(outcome.sandboxId()).exec();
        assertThat(inspected.getConfig().getStdinOpen()).isTrue();
        assertThat(inspected.getMounts()).isEmpty();
    }

    private DockerScriptRuntime runtimeStartingWithin(Duration startTimeout) {
        var l = limits();
        return new DockerScriptRuntime(
                docker,
                "none",
                OWNER + "-quick",
                new RuntimeLimits(
                        l.maxResultBytes(),
                        l.maxLogLines(),
                        l.maxLineChars(),
                        l.pidsLimit(),
                        l.cpus(),
                        l.tmpMb(),
                        l.defaultMemoryMb(),
                        startTimeout),
                HarnessScriptRuntime.WarmSettings.defaults(),
                sockets,
                ociRuntime());
    }

    private static Invocation withImage(Invocation i, String image) {
        return new Invocation(
                i.runId(),
                i.scriptId(),
                i.version(),
                image,
                i.trigger(),
                i.eventJson(),
                i.timeout(),
                i.memoryMb(),
                i.env(),
                i.cancellation());
    }

    private static List<Path> socketDirectories() {
        try (var entries = Files.list(sockets)) {
            return entries.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> containersOf(String owner) {
        return docker
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(DockerScriptRuntime.LABEL, owner))
                .exec()
                .stream()
                .map(c -> c.getId())
                .toList();
    }

    @Test
    void aWriteOutsideTmpIsRefused() {
        var logs = new Logs();
        var outcome = runtime.run(scenario("writeOutside", Map.of()), logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error()).containsAnyOf(refusedWriteCodes().toArray(String[]::new));
    }

    @Test
    void aScriptInNetworkModeNoneReachesNothing() {
        var outcome = runtime.run(scenario("network", Map.of()), new Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        var result = Wire.json().readTree(outcome.resultJson());
        assertThat(result.get("reached").asBoolean()).as("host Redis reachable").isFalse();
        assertThat(result.get("interfaces").valueStream().map(n -> n.asString()))
                .containsOnly("lo");
    }

    @Test
    void anImageThatIsNotPresentIsPulledByDigestFromTheRegistry() throws Exception {
        String repo = "127.0.0.1:5000/cronhook-test/scenarios";
        String tag = image.substring(image.indexOf(':') + 1);
        sh("docker", "tag", image, repo + ":" + tag);
        sh("docker", "push", repo + ":" + tag);
        String digest = sh("docker", "image", "inspect", "--format", "{{index .RepoDigests 0}}", repo + ":" + tag)
                .trim();
        sh("docker", "rmi", repo + ":" + tag);
        assertThat(digest).startsWith(repo + "@sha256:");
        var invocation = scenario("trivial", Map.of());

        var outcome = runtime.run(
                new dev.cronhook.executor.runtime.Invocation(
                        invocation.runId(),
                        invocation.scriptId(),
                        1,
                        digest,
                        invocation.trigger(),
                        invocation.eventJson(),
                        invocation.timeout(),
                        128,
                        Map.of(),
                        new Cancellation()),
                new Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(docker.inspectImageCmd(digest).exec().getRepoDigests()).contains(digest);
    }

    private static String sh(String... command) throws Exception {
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    @Test
    void anImageThatIsNotThereFailsTheRunWithoutRetrying() {
        var invocation = scenario("trivial", Map.of());
        var missing = new dev.cronhook.executor.runtime.Invocation(
                invocation.runId(),
                invocation.scriptId(),
                1,
                "127.0.0.1:5000/cronhook/scripts/missing@sha256:" + "0".repeat(64),
                invocation.trigger(),
                invocation.eventJson(),
                invocation.timeout(),
                128,
                Map.of(),
                new Cancellation());

        var outcome = runtime.run(missing, new Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error()).contains("missing");
    }
}

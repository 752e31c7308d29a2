package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.Outcome;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntimeContract.Logs;
import dev.cronhook.executor.runtime.TestScripts;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A script version's code read from the registry by layer digest for a shared sandbox, on the real engine and the
 * registry at 127.0.0.1:5000 (images laid out as the builder's, {@link TestRegistry}); what no real registry serves
 * (a blob that is not its digest's, a stall, the token flow) from {@link StandInRegistry}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DockerRegistryCodeIT {
    static final String OWNER = "it-registry-code-" + UUID.randomUUID();
    /** Unique per run, so the engine has never seen these images and the registry keeps no layer of a past run. */
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    static DockerClient docker;
    static final List<String> pulled = new ArrayList<>();

    @TempDir
    Path sockets;

    DockerScriptRuntime runtime;

    @BeforeAll
    static void engine() {
        docker = TestEngine.client();
    }

    @AfterAll
    static void removeLeftovers() {
        TestEngine.removeContainersOf(docker, OWNER);
        for (String image : pulled) {
            try {
                docker.removeImageCmd(image).withForce(true).exec();
            } catch (RuntimeException e) {
                // not pulled after all
            }
        }
    }

    @AfterEach
    void closeRuntime() {
        if (runtime != null) {
            runtime.close();
            runtime.removeLeftovers();
        }
    }

    private DockerScriptRuntime runtime(RegistryAccess registry) {
        runtime = new DockerScriptRuntime(
                docker,
                "none",
                OWNER,
                RuntimeLimits.defaults(),
                HarnessScriptRuntime.WarmSettings.defaults(),
                sockets,
                DockerScriptRuntime.OCI_AUTO);
        runtime.shareSandboxes(true);
        runtime.codeRegistry(registry);
        return runtime;
    }

    private Outcome run(String image, String tenant) {
        var invocation = new Invocation(
                        UUID.randomUUID(),
                        UUID.nameUUIDFromBytes(image.getBytes(StandardCharsets.UTF_8)),
                        1,
                        image,
                        TriggerKind.WEBHOOK,
                        "{\"body\":{\"name\":\"ada\"}}",
                        Duration.ofSeconds(30),
                        64,
                        Map.of(),
                        new Cancellation())
                .withTenant(tenant);
        return runtime.run(invocation, new Logs());
    }

    private static tools.jackson.databind.JsonNode result(Outcome outcome) {
        assertThat(outcome.status()).as(String.valueOf(outcome.error())).isEqualTo(RunStatus.SUCCEEDED);
        return Wire.json().readTree(outcome.resultJson());
    }

    private Path codeRoot() throws IOException {
        Path code = sockets.resolveSibling(sockets.getFileName() + "-code");
        try (var owners = Files.list(code)) {
            return owners.findFirst().orElseThrow();
        }
    }

    /** The unpacked layers' directories (partial ones too, if any were left). */
    private List<String> layerDirs() throws IOException {
        Path layers = codeRoot().resolve("layers");
        if (!Files.isDirectory(layers)) return List.of();
        try (Stream<Path> dirs = Files.list(layers)) {
            return dirs.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private List<String> versionDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(codeRoot())) {
            return dirs.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("layers"))
                    .toList();
        }
    }

    /** An engine-local image a tenant's first container is started from. */
    private static String warm() {
        return TestScripts.imageWithScript("export default async () => 'warm';\n");
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }

    private static String greetingScript(String name) {
        return "import greet from 'greeting';\n" + "export default async (event) => ({script: '" + name
                + "', said: greet(event.body.name)});\n";
    }

    private static boolean present(String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Test
    void codeReadFromTheRegistryRunsInASharedSandboxAndItsImageIsNeverPulled() throws Exception {
        runtime(RegistryAccess.of(TestRegistry.HOST, null, null, null));
        var modules = TestRegistry.nodeModules("hello");
        var first = TestRegistry.image(
                1,
                TestRegistry.runtime(),
                modules,
                TestRegistry.harness(),
                TestRegistry.script(greetingScript("first-" + RUN)));
        var second = TestRegistry.image(
                2,
                TestRegistry.runtime(),
                modules,
                TestRegistry.harness(),
                TestRegistry.script(greetingScript("second-" + RUN)));
        String a = TestRegistry.push("cronhook-test/registry-code", first);
        String b = TestRegistry.push("cronhook-test/registry-code", second);
        pulled.add(a);

        var started = run(a, "alice/dev");
        var placed = run(b, "alice/dev");

        assertThat(result(started).get("script").asString()).isEqualTo("first-" + RUN);
        assertThat(result(started).get("said").asString()).isEqualTo("hello ada");
        assertThat(result(placed).get("script").asString()).isEqualTo("second-" + RUN);
        assertThat(result(placed).get("said").asString()).isEqualTo("hello ada");
        assertThat(placed.sandboxId()).as("one container of the tenant").isEqualTo(started.sandboxId());
        assertThat(present(a))
                .as("the tenant's first container is started from its image")
                .isTrue();
        assertThat(present(b))
                .as("the second version's code came from the registry: its image was never pulled")
                .isFalse();
        assertThat(layerDirs())
                .as("its code layers, never the runtime's")
                .containsExactlyInAnyOrder(
                        hex(modules.digest()),
                        hex(first.layer("harness").digest()),
                        hex(first.layer("script").digest()),
                        hex(second.layer("script").digest()))
                .doesNotContain(hex(TestRegistry.runtime().digest()));
    }

    @Test
    void imagesWithTheSameCodeShareOneUnpackedDirectoryPerLayer() throws Exception {
        runtime(RegistryAccess.of(TestRegistry.HOST, null, null, null));
        var modules = TestRegistry.nodeModules("hi-" + RUN);
        var same = TestRegistry.script(greetingScript("same"));
        var images = List.of(
                TestRegistry.image(1, TestRegistry.runtime(), modules, TestRegistry.harness(), same),
                TestRegistry.image(2, TestRegistry.runtime(), modules, TestRegistry.harness(), same),
                TestRegistry.image(
                        3,
                        TestRegistry.runtime(),
                        modules,
                        TestRegistry.harness(),
                        TestRegistry.script(greetingScript("other"))));
        var references = images.stream()
                .map(i -> TestRegistry.push("cronhook-test/registry-code-shared", i))
                .toList();
        assertThat(images.get(0).digest())
                .as("two images (their labels differ)")
                .isNotEqualTo(images.get(1).digest());

        result(run(warm(), "bob/dev"));
        var said = new ArrayList<String>();
        for (String reference : references)
            said.add(result(run(reference, "bob/dev")).get("said").asString());

        assertThat(said).containsOnly("hi-" + RUN + " ada");
        assertThat(versionDirs())
                .as("one directory per version (and the engine-local one of the first call)")
                .containsExactlyInAnyOrder(
                        VersionCode.name(warm()),
                        VersionCode.name(references.get(0)),
                        VersionCode.name(references.get(1)),
                        VersionCode.name(references.get(2)));
        assertThat(layerDirs())
                .as("node_modules, harness and the first script unpacked once for both images that have them")
                .containsExactlyInAnyOrder(
                        hex(modules.digest()),
                        hex(images.get(0).layer("harness").digest()),
                        hex(same.digest()),
                        hex(images.get(2).layer("script").digest()));
        for (String reference : references) assertThat(present(reference)).isFalse();
    }

    @Test
    void aBlobThatIsNotTheOneItsDigestNamesIsRefused() throws Exception {
        try (var registry = new StandInRegistry()) {
            runtime(RegistryAccess.of(registry.host(), null, null, null));
            var script = TestRegistry.script("export default async () => 'genuine';\n");
            var image = TestRegistry.image(1, TestRegistry.runtime(), TestRegistry.harness(), script);
            String reference = registry.serve("cronhook-test/tampered", image, TestRegistry.harness(), script);
            // as long as the genuine blob, a few bytes changed: only its digest tells
            byte[] forged = script.blob().clone();
            for (int i = forged.length / 3; i < forged.length / 3 + 4; i++) forged[i] ^= 0x5a;
            registry.tamper(script.digest(), forged);

            result(run(warm(), "carol/dev"));
            var outcome = run(reference, "carol/dev");

            assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
            assertThat(outcome.error()).contains("is not the blob its digest names");
            assertThat(layerDirs())
                    .as("nothing of it kept, not even in part")
                    .containsExactly(hex(TestRegistry.harness().digest()));
            assertThat(versionDirs()).containsExactly(VersionCode.name(warm()));
            assertThat(registry.count(TestRegistry.runtime().digest()))
                    .as("the runtime layer is never fetched")
                    .isZero();
        }
    }

    @Test
    void aManifestThatIsNotTheOneItsDigestNamesIsRefused() throws Exception {
        try (var registry = new StandInRegistry()) {
            runtime(RegistryAccess.of(registry.host(), null, null, null));
            var image = TestRegistry.image(
                    1,
                    TestRegistry.runtime(),
                    TestRegistry.harness(),
                    TestRegistry.script("export default async () => 1;\n"));
            String reference = registry.serve("cronhook-test/forged-manifest", image);
            var other = TestRegistry.image(
                    2,
                    TestRegistry.runtime(),
                    TestRegistry.harness(),
                    TestRegistry.script("export default async () => 2;\n"));
            registry.tamper(image.digest(), other.manifest());

            var outcome = run(reference, "dave/dev");

            assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
            assertThat(outcome.error()).contains("is not the one its digest names");
        }
    }

    @Test
    void anArchiveEntryLeavingItsDirectoryIsRefusedAndNothingIsWrittenOutside() throws Exception {
        runtime(RegistryAccess.of(TestRegistry.HOST, null, null, null));
        String escape = "escaped-" + RUN;
        var hostile = TestRegistry.layer("script", tar -> {
            TestRegistry.directory(tar, "app/");
            TestRegistry.file(
                    tar, "app/script.mjs", "export default async () => 1;\n".getBytes(StandardCharsets.UTF_8), 0644);
            TestRegistry.file(tar, "app/../../../../../../tmp/" + escape, "x".getBytes(StandardCharsets.UTF_8), 0644);
        });
        var image = TestRegistry.image(1, TestRegistry.runtime(), TestRegistry.harness(), hostile);
        String reference = TestRegistry.push("cronhook-test/registry-code-hostile", image);

        result(run(warm(), "erin/dev"));
        var outcome = run(reference, "erin/dev");

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error()).contains("leaves its directory");
        assertThat(Path.of("/tmp", escape)).doesNotExist();
        try (var everything = Files.walk(sockets.getParent())) {
            assertThat(everything.filter(p -> p.getFileName().toString().equals(escape)))
                    .isEmpty();
        }
        assertThat(layerDirs()).doesNotContain(hex(hostile.digest()));
        assertThat(present(reference)).isFalse();
    }

    @Test
    void anImageWhoseLayersDeleteFilesIsLeftToTheEngineWhichPullsIt() throws Exception {
        runtime(RegistryAccess.of(TestRegistry.HOST, null, null, null));
        var deleting = TestRegistry.layer("script", tar -> {
            TestRegistry.directory(tar, "app/");
            TestRegistry.file(
                    tar,
                    "app/script.mjs",
                    ("export default async () => 'whiteout-" + RUN + "';\n").getBytes(StandardCharsets.UTF_8),
                    0644);
            TestRegistry.file(
                    tar, "app/package.json", "{\"type\":\"module\"}\n".getBytes(StandardCharsets.UTF_8), 0644);
            // an OCI whiteout: "old.mjs of the layers below is deleted", which this reader does not apply
            TestRegistry.file(tar, "app/.wh.old.mjs", new byte[0], 0644);
        });
        var image = TestRegistry.image(1, TestRegistry.runtime(), TestRegistry.harness(), deleting);
        String reference = TestRegistry.push("cronhook-test/registry-code-whiteout", image);
        pulled.add(reference);

        result(run(warm(), "ivan/dev"));
        var outcome = run(reference, "ivan/dev");

        assertThat(result(outcome).asString()).isEqualTo("whiteout-" + RUN);
        assertThat(present(reference))
                .as("the engine's way: pulled (the tenant's container was not started from it), then read")
                .isTrue();
        assertThat(layerDirs()).doesNotContain(hex(deleting.digest()));
    }

    @Test
    void aRegistryThatIsDownFailsTheCallClearlyWithoutHanging() throws Exception {
        int closed;
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String host = "127.0.0.1:" + closed;
        runtime(RegistryAccess.of(host, null, null, null));
        String reference = host + "/cronhook-test/down@sha256:" + "1".repeat(64);

        result(run(warm(), "frank/dev"));
        var outcome = run(reference, "frank/dev");

        // neither the registry nor the engine (which pulls from the same place) can give it
        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error()).contains(reference);
    }

    @Test
    void aRegistryThatCannotBeReadLeavesTheCodeToTheEngine() throws Exception {
        // HTTPS to a registry that speaks plain HTTP: the client cannot read it, the engine can
        runtime(new RegistryAccess(TestRegistry.HOST, null, null, false));
        var image = TestRegistry.image(
                1,
                TestRegistry.runtime(),
                TestRegistry.harness(),
                TestRegistry.script("export default async () => 'engine-" + RUN + "';\n"));
        String reference = TestRegistry.push("cronhook-test/registry-code-fallback", image);
        pulled.add(reference);

        var outcome = run(reference, "grace/dev");

        assertThat(result(outcome).asString()).isEqualTo("engine-" + RUN);
        assertThat(present(reference))
                .as("pulled, and its code taken out of it")
                .isTrue();
        assertThat(layerDirs()).isEmpty();
    }

    @Test
    void aTokenProtectedRegistryIsReadWithATokenFromItsRealm() throws Exception {
        try (var registry = new StandInRegistry()) {
            registry.requireToken("alice", "s3cret");
            runtime(RegistryAccess.of(registry.host(), "alice", "s3cret", null));
            var script =
                    TestRegistry.script("export default async (event) => ({token: 'flow', name: event.body.name});\n");
            var image = TestRegistry.image(1, TestRegistry.runtime(), TestRegistry.harness(), script);
            String reference = registry.serve("cronhook-test/token", image, TestRegistry.harness(), script);

            result(run(warm(), "heidi/dev"));
            var outcome = run(reference, "heidi/dev");

            assertThat(result(outcome).get("token").asString()).isEqualTo("flow");
            assertThat(registry.requests)
                    .filteredOn(r -> r.startsWith("/token"))
                    .as("one token, for the repository's pull scope, reused for every read")
                    .containsExactly("/token?service=stand-in&scope=repository%3Acronhook-test%2Ftoken%3Apull");
            assertThat(registry.count(TestRegistry.runtime().digest())).isZero();
        }
    }

    @Test
    void wrongCredentialsAreRefusedByTheTokenServiceAndSaidSo() throws Exception {
        try (var registry = new StandInRegistry()) {
            registry.requireToken("alice", "s3cret");
            var image = TestRegistry.image(
                    1, TestRegistry.runtime(), TestRegistry.harness(), TestRegistry.script("export default 1;\n"));
            var reference = RegistryReference.parse(registry.serve("cronhook-test/token", image))
                    .orElseThrow();
            var client = new RegistryClient(RegistryAccess.of(registry.host(), "alice", "wrong", null));

            assertThatThrownBy(() -> client.describe(reference))
                    .isInstanceOf(RegistryUnreadableException.class)
                    .hasMessageContaining("token service")
                    .hasMessageContaining("401");
        }
    }

    @Test
    void aBlobThatStallsIsGivenUpAtItsDeadline() throws Exception {
        try (var registry = new StandInRegistry()) {
            var script = TestRegistry.script("export default 1;\n");
            var image = TestRegistry.image(1, TestRegistry.runtime(), TestRegistry.harness(), script);
            var reference = RegistryReference.parse(registry.serve("cronhook-test/stall", image, script))
                    .orElseThrow();
            registry.stall(script.digest());
            var client = new RegistryClient(
                    RegistryAccess.of(registry.host(), null, null, null),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(1));
            var layer = client.describe(reference).codeLayers().getLast();

            assertThatThrownBy(() -> client.readBlob(reference, layer, 1 << 20, in -> in.readAllBytes()))
                    .isInstanceOf(RegistryUnreadableException.class)
                    .hasMessageContaining("took longer than 1000 ms");
        }
    }
}

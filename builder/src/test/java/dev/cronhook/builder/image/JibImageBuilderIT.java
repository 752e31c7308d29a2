package dev.cronhook.builder.image;

import static dev.cronhook.builder.Scripts.aScript;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.builder.BuildPipeline;
import dev.cronhook.builder.Docker;
import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.Scripts;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.npm.NpmDependencyInstaller;
import dev.cronhook.builder.npm.NpmSettings;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.build.CodeHandoff;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.wire.Wire;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against the real npm registry, the registry on 127.0.0.1:5000 and the real Docker engine. */
class JibImageBuilderIT {
    static final String REGISTRY = System.getenv().getOrDefault("CRONHOOK_TEST_REGISTRY", "127.0.0.1:5000");
    static final Path CACHE = Path.of("target/it-cache").toAbsolutePath();
    static final RetryPolicy QUICK_RETRY = new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1));

    static JibImageBuilder registryImages;
    static JibImageBuilder dockerImages;
    static NpmDependencyInstaller npm;

    @BeforeAll
    static void builders() {
        registryImages = new JibImageBuilder(
                new ImageTarget.Registry(REGISTRY, null, null, true), "host", null, CACHE, QUICK_RETRY);
        dockerImages =
                new JibImageBuilder(new ImageTarget.DockerDaemon(Path.of("docker")), "host", null, CACHE, QUICK_RETRY);
        npm = new NpmDependencyInstaller(CACHE, NpmSettings.defaults().withRetry(QUICK_RETRY));
    }

    @AfterAll
    static void close() throws Exception {
        registryImages.close();
        dockerImages.close();
        Docker.removeImagesUsed();
    }

    private static BuildPipeline pipeline(ImageBuilder images) {
        return new BuildPipeline(npm, images, Clock.systemUTC());
    }

    @Test
    void scriptWithLodashAndDayjsRunsInThePushedImageWithoutNetworkOnAReadOnlyRoot() throws Exception {
        var script = aScript()
                .withDependency("lodash", "^4.17.21")
                .withDependency("dayjs", "^1.11.0")
                .withCode(Scripts.lodashAndDayjsCode("first"));

        var result = pipeline(registryImages).build(script.version(1), BuildLog.detached());

        assertThat(result.state()).as(result.log()).isEqualTo(BuildState.READY);
        assertThat(result.imageRef())
                .isEqualTo(REGISTRY + "/cronhook/scripts/" + script.id() + "@" + result.imageDigest());
        assertThat(result.imageDigest()).startsWith("sha256:");
        assertThat(result.lockfile()).contains("\"node_modules/lodash\"", "\"node_modules/dayjs\"");
        assertThat(Docker.run("pull", result.imageRef()).exit()).isZero();
        var run = Docker.runIsolated(result.imageRef(), Scripts.printResultCommand());
        assertThat(run.out()).contains("first sum=10 chunks=[[1,2],[3]] date=2020-02-01");
        assertThat(run.exit()).isZero();
        var user = Docker.runIsolated(result.imageRef(), "node", "-e", "console.log(process.getuid(), process.cwd())");
        assertThat(user.out().strip()).isEqualTo("65532 /app");
        var config = Docker.run(
                "inspect", "--format", "{{json .Config.Entrypoint}} {{json .Config.Env}}", result.imageRef());
        assertThat(config.out()).contains("[\"node\",\"/app/harness.mjs\"]", "NODE_ENV=production", "PATH=");
    }

    @Test
    void aCodeOnlyChangeUploadsOnlyTheScriptLayer() throws Exception {
        var script = aScript().withDependency("lodash", "^4.17.21").withCode(Scripts.lodashAndDayjsCode("one"));
        var v1 = pipeline(registryImages).build(script.version(1), BuildLog.detached());
        assertThat(v1.state()).as(v1.log()).isEqualTo(BuildState.READY);

        var v2 = pipeline(registryImages)
                .build(script.withCode("export default async () => 'two';\n").version(2), BuildLog.detached());

        assertThat(v2.state()).as(v2.log()).isEqualTo(BuildState.READY);
        var layers1 = layers(script.id(), "v1");
        var layers2 = layers(script.id(), "v2");
        assertThat(layers1).hasSize(4); // node runtime, node_modules, harness, script
        assertThat(layers2.subList(0, 3)).isEqualTo(layers1.subList(0, 3));
        assertThat(layers2.get(3)).isNotEqualTo(layers1.get(3));
        for (String unchanged : layers2.subList(0, 3)) {
            assertThat(v2.log())
                    .contains("Skipping push; BLOB already exists on target registry : digest: " + unchanged);
        }
        assertThat(v2.log()).doesNotContain("BLOB already exists on target registry : digest: " + layers2.get(3));
    }

    @Test
    void buildingTheSameVersionAgainGivesTheSameDigest() throws Exception {
        var script = aScript().withCode("export default async () => 42;\n");

        var first = pipeline(registryImages).build(script.version(3), BuildLog.detached());
        var again = pipeline(registryImages).build(script.version(3), BuildLog.detached());

        assertThat(first.state()).as(first.log()).isEqualTo(BuildState.READY);
        assertThat(again.imageDigest()).isEqualTo(first.imageDigest());
        assertThat(first.lockfile()).isNull();
        assertThat(first.log()).contains("no dependencies: npm skipped");
    }

    @Test
    void anImageBuiltIntoTheLocalEngineRunsByItsTag() throws Exception {
        var script = aScript()
                .withDependency("dayjs", "^1.11.0")
                .withCode(Scripts.lodashAndDayjsCode("local")
                        .replace(
                                "import _ from \"lodash\";",
                                "const _ = { sum: (a) => a.reduce((x, y) => x + y, 0),"
                                        + " chunk: (a, n) => [a.slice(0, n), a.slice(n)] };"));

        var result = pipeline(dockerImages).build(script.version(1), BuildLog.detached());

        assertThat(result.state()).as(result.log()).isEqualTo(BuildState.READY);
        assertThat(result.imageRef()).isEqualTo("cronhook/scripts/" + script.id() + ":v1");
        var run = Docker.runIsolated(result.imageRef(), Scripts.printResultCommand());
        assertThat(run.out()).contains("local sum=10 chunks=[[1,2],[3]] date=2020-02-01");
        // the executor talks to the harness over a socket only in images that say their harness can
        var label = Docker.run(
                "image",
                "inspect",
                "--format",
                "{{index .Config.Labels \"" + Harness.PROTOCOL_LABEL + "\"}}",
                result.imageRef());
        assertThat(label.out().trim()).isEqualTo(Integer.toString(Harness.PROTOCOL));
    }

    @Test
    void anImageLoadedIntoTheEngineLeavesItsCodeForTheExecutorsExactlyAsTheImageHoldsIt() throws Exception {
        var handoff = new CodeHandoff(CACHE.resolve("handoff-" + UUID.randomUUID()));
        var images =
                new JibImageBuilder(new ImageTarget.DockerDaemon(Path.of("docker")), "host", null, CACHE, QUICK_RETRY);
        images.handOffCode(handoff);
        var script = aScript()
                .withDependency("dayjs", "^1.11.0")
                .withFile("lib/greet.mjs", "export const greet = (n) => 'hi ' + n;\n")
                .withCode(Scripts.lodashAndDayjsCode("handed")
                        .replace(
                                "import _ from \"lodash\";",
                                "const _ = { sum: (a) => a.reduce((x, y) => x + y, 0),"
                                        + " chunk: (a, n) => [a.slice(0, n), a.slice(n)] };"));
        try {
            var result = pipeline(images).build(script.version(1), BuildLog.detached());

            assertThat(result.state()).as(result.log()).isEqualTo(BuildState.READY);
            var code = handoff.of(result.imageDigest()).orElseThrow();
            var inImage = Docker.runIsolated(result.imageRef(), "node", "-e", LIST_APP);
            assertThat(inImage.exit()).as(inImage.out()).isZero();
            assertThat(listing(code))
                    .as("every file of /app, its content and mode, as in the image")
                    .isEqualTo(inImage.out().strip())
                    .contains("lib/greet.mjs 644")
                    .contains("node_modules/dayjs/package.json 644")
                    .contains("script.mjs 644")
                    .contains(Harness.FILE_NAME + " 644");
        } finally {
            images.close();
        }
    }

    /** Each regular file under /app: its path, octal mode and SHA-256, sorted; node in the image prints it. */
    static final String LIST_APP = "const fs = require('fs'), p = require('path'), c = require('crypto');"
            + " const out = []; const walk = (d) => { for (const e of fs.readdirSync(d, {withFileTypes: true})) {"
            + " const f = p.join(d, e.name); if (e.isDirectory()) walk(f); else out.push(p.relative('/app', f) + ' '"
            + " + (fs.statSync(f).mode & 0o777).toString(8) + ' ' + c.createHash('sha256')"
            + ".update(fs.readFileSync(f)).digest('hex')); } }; walk('/app'); out.sort(); console.log(out.join('\\n'));";

    /** The same listing of a directory on this host. */
    static String listing(Path root) throws Exception {
        var out = new ArrayList<String>();
        try (var files = java.nio.file.Files.walk(root)) {
            for (var f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                int mode = 0;
                for (var perm : java.nio.file.Files.getPosixFilePermissions(f)) mode |= 0400 >> perm.ordinal();
                var digest =
                        java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(f));
                out.add(root.relativize(f) + " " + Integer.toOctalString(mode) + " "
                        + java.util.HexFormat.of().formatHex(digest));
            }
        }
        out.sort(null);
        return String.join("\n", out);
    }

    @Test
    void aBaseImageFromARegistryIsUsedInsteadOfTheHostsNode() throws Exception {
        // no image can be pulled from the internet here: a script image in the local registry stands in for node:22
        var base = pipeline(registryImages).build(aScript().version(1), BuildLog.detached());
        assertThat(base.state()).as(base.log()).isEqualTo(BuildState.READY);
        try (var onBase = new JibImageBuilder(
                new ImageTarget.Registry(REGISTRY, null, null, true), base.imageRef(), null, CACHE, QUICK_RETRY)) {
            var script = aScript().withCode("export default async () => 'on a registry base';\n");

            var result = pipeline(onBase).build(script.version(1), BuildLog.detached());

            assertThat(result.state()).as(result.log()).isEqualTo(BuildState.READY);
            assertThat(result.log()).contains("from " + base.imageRef());
            var run = Docker.runIsolated(result.imageRef(), Scripts.printResultCommand());
            assertThat(run.out()).contains("on a registry base");
        }
    }

    @Test
    void anUnreachableRegistryIsRetriedThenTheBuildFailsWithTheReason() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (var nowhere = new JibImageBuilder(
                new ImageTarget.Registry("127.0.0.1:" + closedPort, null, null, true),
                "host",
                null,
                CACHE,
                QUICK_RETRY)) {

            var result = pipeline(nowhere).build(aScript().version(1), BuildLog.detached());

            assertThat(result.state()).isEqualTo(BuildState.FAILED);
            assertThat(result.error()).contains("image build and push failed after 2 attempts");
            assertThat(result.log()).contains("attempt 2 of 2");
        }
    }

    private static List<String> layers(UUID scriptId, String tag) throws Exception {
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/cronhook/scripts/" + scriptId
                                        + "/manifests/" + tag))
                                .header(
                                        "Accept",
                                        "application/vnd.docker.distribution.manifest.v2+json,"
                                                + "application/vnd.oci.image.manifest.v1+json")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        var digests = new ArrayList<String>();
        for (var layer : Wire.json().readTree(response.body()).get("layers")) {
            digests.add(layer.get("digest").asString());
        }
        return digests;
    }
}

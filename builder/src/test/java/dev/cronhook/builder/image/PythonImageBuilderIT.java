package dev.cronhook.builder.image;

import static dev.cronhook.builder.Scripts.aScript;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.builder.BuildPipeline;
import dev.cronhook.builder.Docker;
import dev.cronhook.builder.RetryPolicy;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.npm.NpmDependencyInstaller;
import dev.cronhook.builder.npm.NpmSettings;
import dev.cronhook.builder.pip.PipDependencyInstaller;
import dev.cronhook.builder.pip.PipSettings;
import dev.cronhook.builder.pip.TestPackageIndex;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.wire.Wire;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Python images: the host's python3 as the base, requirements from a test index, pushed to 127.0.0.1:5000. */
class PythonImageBuilderIT {
    static final String REGISTRY = System.getenv().getOrDefault("CRONHOOK_TEST_REGISTRY", "127.0.0.1:5000");
    static final Path CACHE = Path.of("target/it-cache").toAbsolutePath();
    static final RetryPolicy QUICK_RETRY = new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1));
    static final String CODE = """
            import tiny_greet

            def handler(event, ctx):
                return tiny_greet.greet("%s")
            """;

    static JibImageBuilder images;
    static TestPackageIndex index;
    static BuildPipeline pipeline;

    @TempDir
    static Path pipCache;

    @BeforeAll
    static void builders() {
        index = new TestPackageIndex()
                .publish("tinybase", "1.2.0", "X = 2\n")
                .publish(
                        "tiny-greet",
                        "1.0.0",
                        "import tinybase\ndef greet(n):\n    return 'hello ' + n + str(tinybase.X)\n",
                        "tinybase>=1.1");
        images = new JibImageBuilder(
                new ImageTarget.Registry(REGISTRY, null, null, true), "host", null, CACHE, QUICK_RETRY);
        var pip = new PipDependencyInstaller(
                pipCache, PipSettings.defaults().withIndexUrl(index.url()).withRetry(QUICK_RETRY));
        var npm = new NpmDependencyInstaller(CACHE, NpmSettings.defaults().withRetry(QUICK_RETRY));
        pipeline = new BuildPipeline(Map.of("npm", npm, "pip", pip), images, Clock.systemUTC());
    }

    @AfterAll
    static void close() throws Exception {
        images.close();
        index.close();
        Docker.removeImagesUsed();
    }

    @Test
    void aPythonScriptWithARequirementRunsInThePushedImageWithoutNetworkOnAReadOnlyRoot() throws Exception {
        var script = aScript()
                .withLanguage("python")
                .withDependency("tiny-greet", ">=1.0")
                .withCode(CODE.formatted("py"));

        var result = pipeline.build(script.version(1), BuildLog.detached());

        assertThat(result.state()).as(result.log()).isEqualTo(BuildState.READY);
        assertThat(result.lockfile())
                .as("the resolved packages on the build record")
                .contains("tiny_greet==1.0.0 --hash=sha256:", "tinybase==1.2.0 --hash=sha256:");
        assertThat(result.log()).contains("$ pip download", "$ pip install", "from this host's python3");
        assertThat(Docker.run("pull", result.imageRef()).exit()).isZero();
        var run = Docker.runIsolated(
                result.imageRef(),
                "/usr/bin/python3",
                "-c",
                "import os, sys; sys.path.insert(0, '/app'); import script;"
                        + " print(script.handler({}, {}), os.getuid(), os.getcwd())");
        assertThat(run.out().strip()).as(run.out()).isEqualTo("hello py2 65532 /app");
        // the host's CA bundle came with the runtime: TLS to public hosts verifies
        var tls = Docker.runIsolated(
                result.imageRef(),
                "python3",
                "-c",
                "import ssl; print(len(ssl.create_default_context().get_ca_certs()) > 10)");
        assertThat(tls.out().strip()).as(tls.out()).isEqualTo("True");
        var config = Docker.run(
                "inspect",
                "--format",
                "{{json .Config.Entrypoint}} {{json .Config.Env}} {{json .Config.Labels}}",
                result.imageRef());
        assertThat(config.out())
                .contains("[\"python3\",\"/app/harness.py\"]", "PYTHONPATH=/app/site-packages")
                .contains("\"dev.cronhook.language\":\"python\"", "\"" + Harness.PROTOCOL_LABEL + "\":\"2\"");
    }

    @Test
    void aCodeOnlyChangeOfAPythonScriptUploadsOnlyTheScriptLayer() throws Exception {
        var script = aScript()
                .withLanguage("python")
                .withDependency("tiny-greet", "")
                .withCode(CODE.formatted("one"));
        var v1 = pipeline.build(script.version(1), BuildLog.detached());
        assertThat(v1.state()).as(v1.log()).isEqualTo(BuildState.READY);

        var v2 = pipeline.build(script.withCode(CODE.formatted("two")).version(2), BuildLog.detached());

        assertThat(v2.state()).as(v2.log()).isEqualTo(BuildState.READY);
        var layers1 = layers(script.id(), "v1");
        var layers2 = layers(script.id(), "v2");
        assertThat(layers1).hasSize(4); // python runtime, site-packages, harness, script
        assertThat(layers2.subList(0, 3)).isEqualTo(layers1.subList(0, 3));
        assertThat(layers2.get(3)).isNotEqualTo(layers1.get(3));
        assertThat(v2.log()).contains("already installed").doesNotContain("$ pip install");
    }

    @Test
    void aPythonScriptWithoutRequirementsNeedsNoPip() throws Exception {
        var noPip = new BuildPipeline(Map.of(), images, Clock.systemUTC());

        var result = noPip.build(
                aScript()
                        .withLanguage("python")
                        .withCode("def handler(event, ctx):\n    return 1\n")
                        .version(1),
                BuildLog.detached());

        assertThat(result.state()).as(result.log()).isEqualTo(BuildState.READY);
        assertThat(result.lockfile()).isNull();
    }

    @Test
    void aLanguageCronhookDoesNotRunFailsTheBuildWithTheOnesItDoes() throws Exception {
        var result = pipeline.build(aScript().withLanguage("cobol").version(1), BuildLog.detached());

        assertThat(result.state()).isEqualTo(BuildState.FAILED);
        assertThat(result.error()).contains("unknown language 'cobol'", "node, python");
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

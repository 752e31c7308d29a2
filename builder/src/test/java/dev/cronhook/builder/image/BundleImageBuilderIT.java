package dev.cronhook.builder.image;

import static dev.cronhook.builder.Scripts.aScript;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.builder.BuildPipeline;
import dev.cronhook.builder.Scripts;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.npm.NpmDependencyInstaller;
import dev.cronhook.builder.npm.NpmSettings;
import dev.cronhook.core.build.BuildState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no engine and no registry: a directory bundle that node runs as it is. */
class BundleImageBuilderIT {

    @Test
    void aBundleHasTheImagesLayoutAndRunsWithNode(@TempDir Path bundles) throws Exception {
        var npm = new NpmDependencyInstaller(Path.of("target/it-cache").toAbsolutePath(), NpmSettings.defaults());
        var pipeline = new BuildPipeline(npm, new BundleImageBuilder(bundles), Clock.systemUTC());
        var script = aScript()
                .withDependency("lodash", "^4.17.21")
                .withDependency("dayjs", "^1.11.0")
                .withCode(Scripts.lodashAndDayjsCode("bundled"));

        var result = pipeline.build(script.version(2), BuildLog.detached());

        assertThat(result.state()).as(result.log()).isEqualTo(BuildState.READY);
        Path dir = bundles.resolve(script.id().toString()).resolve("v2");
        assertThat(result.imageRef()).isEqualTo("bundle:" + dir.toAbsolutePath());
        assertThat(result.imageDigest()).startsWith("sha256:");
        assertThat(dir.resolve("harness.mjs")).exists();
        assertThat(dir.resolve("package.json")).content().contains("\"type\" : \"module\"");
        assertThat(dir.resolve("node_modules/lodash/package.json")).exists();
        var node = new ProcessBuilder(
                        "node",
                        "--input-type=module",
                        "-e",
                        "const m = await import('" + dir.resolve("script.mjs")
                                + "'); console.log(await m.default({}, {}));")
                .redirectErrorStream(true)
                .start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("bundled sum=10 chunks=[[1,2],[3]] date=2020-02-01");

        var rebuilt = pipeline.build(script.version(2), BuildLog.detached());
        assertThat(rebuilt.imageDigest()).isEqualTo(result.imageDigest());
    }
}

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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JibImageBuilderIT {
    static final String REGISTRY = System.getenv().getOrDefault("CRONHOOK_TEST_REGISTRY", "127.0.0.1:5000");
    static final Path CACHE = Path.of("target/it-cache").toAbsolutePath();

    static JibImageBuilder images;
    static BuildPipeline pipeline;

    @BeforeAll
    static void builder() {
        var retry = new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1));
        images = new JibImageBuilder(new ImageTarget.Registry(REGISTRY, null, null, true), "host", null, CACHE, retry);
        var npm = new NpmDependencyInstaller(CACHE, NpmSettings.defaults().withRetry(retry));
        pipeline = new BuildPipeline(npm, images, Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        images.close();
    }

    @Test
    void scriptWithLodashAndDayjsRunsInThePushedImageWithoutNetworkOnAReadOnlyRoot() throws Exception {
        var script = aScript()
                .withDependency("lodash", "^4.17.21")
                .withDependency("dayjs", "^1.11.0")
                .withCode(Scripts.lodashAndDayjsCode("first"));

        var result = pipeline.build(script.version(1), BuildLog.detached());

        assertThat(result.state()).as(result.log()).isEqualTo(BuildState.READY);
        assertThat(result.imageRef()).startsWith(REGISTRY + "/cronhook/scripts/" + script.id() + "@sha256:");
        assertThat(result.imageDigest()).startsWith("sha256:");
        assertThat(result.lockfile()).contains("\"node_modules/lodash\"", "\"node_modules/dayjs\"");
        assertThat(Docker.run("pull", result.imageRef()).exit()).isZero();
        var run = Docker.runIsolated(result.imageRef(), Scripts.printResultCommand());
        assertThat(run.out()).contains("first sum=10 chunks=[[1,2],[3]] date=2020-02-01");
        assertThat(run.exit()).isZero();
    }
}

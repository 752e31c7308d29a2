package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.ScriptRuntimeContract;
import dev.cronhook.executor.runtime.TestPythonScripts;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime contract for a Python script (harness.py in an image laid out like the builder's) on Docker. */
class DockerPythonScriptRuntimeIT extends ScriptRuntimeContract {
    static final String OWNER = "it-python-" + UUID.randomUUID();
    static DockerClient docker;
    static String image;

    @TempDir
    static Path sockets;

    @BeforeAll
    static void buildImage() {
        docker = TestEngine.client();
        image = TestPythonScripts.image();
    }

    @AfterAll
    static void removeLeftovers() {
        TestEngine.removeContainersOf(docker, OWNER);
    }

    @Override
    protected ScriptRuntime newRuntime(RuntimeLimits limits) {
        return new DockerScriptRuntime(
                docker,
                "none",
                OWNER,
                limits,
                HarnessScriptRuntime.WarmSettings.defaults(),
                sockets,
                DockerScriptRuntime.OCI_AUTO);
    }

    @Override
    protected String image() {
        return image;
    }

    @Override
    protected String stackFrameMark() {
        return "File \"/app/script.py\", line ";
    }

    @Test
    void loggingAndStderrWritesAreLogLinesOnStderr() {
        var logs = new Logs();

        var outcome = runtime.run(scenario("logging", Map.of("n", 3)), logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(outcome.resultJson()).isEqualTo("\"logged\"");
        assertThat(logs.of(LogStream.STDERR))
                .containsExactly(
                        "WARNING:root:via logging 3", "ERROR:scenarios:from a named logger", "straight to stderr");
        assertThat(logs.of(LogStream.STDOUT)).isEmpty();
    }

    @Test
    void theScriptSeesTheSameEventAndContextAsANodeScript() {
        var outcome =
                runtime.run(scenario("echo", Map.of("body", Map.of("list", java.util.List.of(1, "two")))), new Logs());

        var result = Wire.json().readTree(outcome.resultJson());
        assertThat(result.at("/event/body/list/1").asString()).isEqualTo("two");
        assertThat(result.at("/ctx/version").asInt()).isEqualTo(1);
    }
}

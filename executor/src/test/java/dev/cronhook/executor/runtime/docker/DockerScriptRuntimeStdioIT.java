package dev.cronhook.executor.runtime.docker;

import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.ScriptRuntimeContract;
import dev.cronhook.executor.runtime.TestScripts;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime contract on the real Docker engine for an image without the harness protocol label, as images built
 * before it: the runtime has a socket directory but speaks to this harness on the container's stdin and stdout.
 */
class DockerScriptRuntimeStdioIT extends ScriptRuntimeContract {
    static final String OWNER = "it-stdio-" + UUID.randomUUID();
    static com.github.dockerjava.api.DockerClient docker;
    static String image;

    @TempDir
    static Path sockets;

    @BeforeAll
    static void buildImage() {
        docker = TestEngine.client();
        image = TestScripts.unlabelledImage();
    }

    @AfterAll
    static void removeLeftovers() {
        TestEngine.removeContainersOf(docker, OWNER);
    }

    @Override
    protected ScriptRuntime newRuntime(RuntimeLimits limits) {
        return new DockerScriptRuntime(
                docker, "none", OWNER, limits, HarnessScriptRuntime.WarmSettings.defaults(), sockets);
    }

    @Override
    protected String image() {
        return image;
    }
}

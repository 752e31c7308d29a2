package dev.cronhook.executor.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.executor.egress.EgressObserver;
import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.HostileScriptContract;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.TestPythonScripts;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The hostile-script contract for a Python script in Docker, with the egress proxy on as the executor starts it. */
class DockerPythonHostileScriptIT extends HostileScriptContract {
    static final String OWNER = "it-python-hostile-" + UUID.randomUUID();
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
        var runtime = new DockerScriptRuntime(
                docker,
                "none",
                OWNER,
                limits,
                HarnessScriptRuntime.WarmSettings.defaults(),
                sockets,
                DockerScriptRuntime.OCI_AUTO);
        runtime.egressProxy(new EgressProxy(PrivateAddressGuard.strict(), Map.of(), EgressObserver.NONE));
        return runtime;
    }

    @Override
    protected String image() {
        return image;
    }

    /** The Python runtime's image environment (PYTHONPATH, PYTHONUTF8 and the like) is its own and harmless. */
    @Override
    protected boolean harmless(String name) {
        return super.harmless(name) || name.startsWith("PYTHON");
    }
}

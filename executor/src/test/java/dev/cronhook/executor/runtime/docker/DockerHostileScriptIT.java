package dev.cronhook.executor.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.executor.egress.EgressObserver;
import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.HostileScriptContract;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.TenantCalls;
import dev.cronhook.executor.runtime.TestScripts;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The hostile-script contract in Docker with the executor's default OCI runtime (crun where the engine has it). */
class DockerHostileScriptIT extends HostileScriptContract {
    static final String OWNER = "it-hostile-" + UUID.randomUUID();
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

    /** The OCI runtime setting the runtime is made with. */
    protected String ociRuntime() {
        return DockerScriptRuntime.OCI_AUTO;
    }

    /** Whether calls go through sandboxes shared by their tenant's scripts. */
    protected boolean shared() {
        return false;
    }

    @Override
    protected ScriptRuntime newRuntime(RuntimeLimits limits) {
        var runtime = new DockerScriptRuntime(
                docker, "none", OWNER, limits, HarnessScriptRuntime.WarmSettings.defaults(), sockets, ociRuntime());
        // as the executor starts it: every container has a gate of the egress proxy (its scripts allow nothing)
        runtime.egressProxy(new EgressProxy(PrivateAddressGuard.strict(), Map.of(), EgressObserver.NONE));
        if (!shared()) return runtime;
        runtime.shareSandboxes(true);
        return new TenantCalls(runtime);
    }

    @Override
    protected String image() {
        return image;
    }
}

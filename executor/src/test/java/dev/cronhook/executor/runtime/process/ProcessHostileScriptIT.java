package dev.cronhook.executor.runtime.process;

import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.executor.egress.EgressObserver;
import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.HostileScriptContract;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.TestScripts;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The hostile-script contract for the process runtime in its bubblewrap sandboxes. */
class ProcessHostileScriptIT extends HostileScriptContract {
    @TempDir
    static Path dir;

    private static String bundle;

    @Override
    protected ScriptRuntime newRuntime(RuntimeLimits limits) {
        var runtime = new ProcessScriptRuntime(
                TestScripts.NODE, dir.resolve("work"), limits, HarnessScriptRuntime.WarmSettings.defaults());
        // as the executor starts it: every sandbox has a gate of the egress proxy (its scripts allow nothing)
        runtime.egressProxy(new EgressProxy(PrivateAddressGuard.strict(), Map.of(), EgressObserver.NONE));
        return runtime;
    }

    @Override
    protected synchronized String image() {
        if (bundle == null) bundle = TestScripts.bundle(dir.resolve("bundle"));
        return bundle;
    }
}

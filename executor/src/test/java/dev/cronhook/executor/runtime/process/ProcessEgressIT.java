package dev.cronhook.executor.runtime.process;

import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.runtime.EgressContract;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.TestScripts;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The egress contract for the process runtime: bubblewrap sandboxes with no network namespace of the host's. */
class ProcessEgressIT extends EgressContract {
    @TempDir
    static Path dir;

    private static String bundle;

    @Override
    protected ScriptRuntime newRuntime(EgressProxy proxy) {
        var runtime = new ProcessScriptRuntime(
                TestScripts.NODE,
                dir.resolve("work"),
                RuntimeLimits.defaults(),
                HarnessScriptRuntime.WarmSettings.defaults());
        runtime.egressProxy(proxy);
        return runtime;
    }

    @Override
    protected synchronized String image() {
        if (bundle == null) bundle = TestScripts.bundle(dir.resolve("bundle"));
        return bundle;
    }
}

package dev.cronhook.executor.runtime.process;

import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.ScriptRuntimeContract;
import dev.cronhook.executor.runtime.TestScripts;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class ProcessScriptRuntimeIT extends ScriptRuntimeContract {
    @TempDir
    static Path dir;

    private static String bundle;

    @Override
    protected ScriptRuntime newRuntime(RuntimeLimits limits) {
        return new ProcessScriptRuntime(
                TestScripts.NODE, dir.resolve("work"), limits, HarnessScriptRuntime.WarmSettings.defaults());
    }

    @Override
    protected synchronized String image() {
        if (bundle == null) bundle = TestScripts.bundle(dir.resolve("bundle"));
        return bundle;
    }
}

package dev.cronhook.executor.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntimeContract;
import dev.cronhook.executor.runtime.TestScripts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process runtime refuses to run user code where it cannot sandbox it, unless told to run it unisolated. */
class ProcessSandboxRefusalIT {
    @TempDir
    Path dir;

    @Test
    void withoutBubblewrapTheRuntimeRefusesToStartAndSaysWhyAndWhatToDo() {
        assertThatThrownBy(() -> runtime(ProcessScriptRuntime.Isolation.sandboxWith("/nonexistent/bwrap")))
                .isInstanceOf(ProcessSandboxUnavailableException.class)
                .hasMessageContaining("cannot sandbox scripts")
                .hasMessageContaining("no bubblewrap binary \"/nonexistent/bwrap\"")
                .hasMessageContaining("CRONHOOK_UNSAFE_PROCESS_RUNTIME=true");
    }

    @Test
    void aBubblewrapThatCannotMakeNamespacesIsRefusedWithItsOwnError() throws Exception {
        Path fake = dir.resolve("fake-bwrap");
        Files.writeString(fake, "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the probe may run it as the sandbox's uid: it must be able to reach it
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

        var probe = ProcessSandboxing.probe(fake.toString());

        assertThat(probe.available()).isFalse();
        assertThat(probe.reason()).contains("No permissions to create new namespace");
        assertThatThrownBy(() -> runtime(ProcessScriptRuntime.Isolation.sandboxWith(fake.toString())))
                .isInstanceOf(ProcessSandboxUnavailableException.class)
                .hasMessageContaining("No permissions to create new namespace");
    }

    @Test
    void thisMachineOffersSandboxes() {
        var probe = ProcessSandboxing.available();

        assertThat(probe.available()).as(probe.toString()).isTrue();
        assertThat(probe.reason()).isNull();
    }

    @Test
    void theExplicitUnsafeModeRunsScriptsUnisolated() {
        String bundle = TestScripts.bundle(dir.resolve("bundle"));
        try (var unsafe = runtime(ProcessScriptRuntime.Isolation.unsafeNone())) {
            var outcome = unsafe.run(
                    new Invocation(
                            UUID.randomUUID(),
                            UUID.randomUUID(),
                            1,
                            bundle,
                            TriggerKind.MANUAL,
                            "{\"scenario\":\"trivial\"}",
                            Duration.ofSeconds(20),
                            128,
                            Map.of(),
                            null),
                    new ScriptRuntimeContract.Logs());

            assertThat(unsafe.sandboxed()).isFalse();
            assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        }
    }

    private ProcessScriptRuntime runtime(ProcessScriptRuntime.Isolation isolation) {
        return new ProcessScriptRuntime(
                TestScripts.NODE,
                dir.resolve("work"),
                RuntimeLimits.defaults(),
                HarnessScriptRuntime.WarmSettings.defaults(),
                isolation);
    }
}

package dev.cronhook.executor.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessSandboxingTest {
    private static final List<String> NODE_FILES = List.of("/usr/bin/node", "/lib/x86_64-linux-gnu/libc.so.6");

    private static List<String> command(boolean root, Path nodeModules) {
        return ProcessSandboxing.command(
                "/usr/bin/bwrap",
                root,
                NODE_FILES,
                Path.of("/root/.cronhook/bundles/s/v1"),
                List.of("harness.mjs", "node_modules", "package.json", "script.mjs"),
                nodeModules,
                List.of(Path.of("/sys/fs/cgroup/pids/x/cgroup.procs")),
                64,
                null,
                Map.of("HOME", "/tmp"),
                List.of("/usr/bin/node", "--max-old-space-size=96", "/app/harness.mjs"));
    }

    @Test
    void asRootTheSandboxDropsToItsUidBeforeBubblewrapAndIsNeverMappedToRoot() {
        var command = command(true, Path.of("/root/.cronhook/builder/modules/abc/node_modules"));

        int setpriv = command.indexOf("/usr/bin/setpriv");
        int bwrap = command.indexOf("/usr/bin/bwrap");
        assertThat(command.subList(0, 5))
                .containsExactly("/usr/bin/unshare", "--mount", "--propagation", "private", "--");
        assertThat(setpriv).isPositive().isLessThan(bwrap);
        assertThat(command.subList(setpriv, bwrap))
                .contains("--reuid=65532", "--regid=65532", "--clear-groups", "--no-new-privs");
        assertThat(command.get(command.indexOf("--uid") + 1)).isEqualTo("65532");
        assertThat(command.get(command.indexOf("--gid") + 1)).isEqualTo("65532");
        assertThat(command).doesNotContain("--cap-add", "--bind", "--dev-bind");
    }

    @Test
    void theSandboxHasItsOwnNamespacesAndDiesWithItsParent() {
        assertThat(command(true, null))
                .contains(
                        "--unshare-user",
                        "--unshare-ipc",
                        "--unshare-pid",
                        "--unshare-net",
                        "--unshare-uts",
                        "--unshare-cgroup-try",
                        "--disable-userns",
                        "--die-with-parent",
                        "--new-session",
                        "--clearenv");
    }

    @Test
    void asRootTheBundleAndItsNodeModulesAreBoundFromTheStagingAreaReadOnly() {
        var command = command(true, Path.of("/root/.cronhook/builder/modules/abc/node_modules"));

        assertThat(String.join(" ", command))
                .contains("--ro-bind /tmp/app/harness.mjs /app/harness.mjs")
                .contains("--ro-bind /tmp/app/script.mjs /app/script.mjs")
                .contains("--ro-bind /tmp/node_modules /app/node_modules")
                .contains("--remount-ro /app")
                .contains("--ro-bind /usr/bin/node /usr/bin/node")
                .contains("--ro-bind /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libc.so.6")
                .doesNotContain("/tmp/app/node_modules");
        // the staging script, the bundle and the real node_modules are the shell's arguments, not bwrap's
        int sh = command.indexOf("/bin/sh");
        assertThat(command.subList(sh + 3, sh + 7))
                .containsExactly(
                        "sh",
                        "/root/.cronhook/bundles/s/v1",
                        "/root/.cronhook/builder/modules/abc/node_modules",
                        "/sys/fs/cgroup/pids/x/cgroup.procs");
    }

    @Test
    void asAnotherUserBubblewrapRunsAsThatUserAndBindsTheBundleWhereItIs() {
        var command = command(false, null);

        assertThat(command.getFirst()).isEqualTo("/bin/sh");
        assertThat(command).doesNotContain("/usr/bin/setpriv", "/usr/bin/unshare");
        assertThat(String.join(" ", command))
                .contains("--ro-bind /root/.cronhook/bundles/s/v1/node_modules /app/node_modules")
                .contains("--ro-bind /root/.cronhook/bundles/s/v1/script.mjs /app/script.mjs");
    }

    @Test
    void theScriptFindsOnlyItsBaseEnvironmentAndTheHarnessCommandAfterTheSeparator() {
        var command = command(true, null);

        int separator = command.lastIndexOf("--");
        assertThat(command.subList(separator + 1, command.size()))
                .containsExactly("/usr/bin/node", "--max-old-space-size=96", "/app/harness.mjs");
        assertThat(String.join(" ", command)).contains("--setenv HOME /tmp").contains("--size 67108864 --tmpfs /tmp");
    }
}

package dev.cronhook.executor.runtime.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Whether this machine can give the process runtime its sandboxes, and the command line of one: bubblewrap in an
 * unprivileged user namespace (new user, mount, PID, network, IPC, UTS and, where the kernel allows, cgroup
 * namespaces) as uid {@value #SANDBOX_UID}. {@link #available()} is the probe configuration code and tests ask.
 *
 * <p>When this process is root it never maps a sandbox to root: {@code setpriv} drops to host uid {@value
 * #SANDBOX_UID} before bwrap makes its user namespace. That uid may not traverse the platform's home (e.g. {@code
 * /root} is 0700), and bwrap 0.8 resolves every bind source, {@code --ro-bind-fd}'s {@code /proc/self/fd/N} too,
 * by its path as the unprivileged uid. So a root shell first makes a private mount namespace ({@code unshare
 * --mount --propagation private}, invisible to the host and gone with its last process), mounts a small tmpfs on
 * its {@code /tmp} and bind-mounts the bundle and its node_modules there: the unprivileged bwrap reaches them
 * through a 0755 path without any host directory changing its mode, being copied or hard-linked. Running bwrap as
 * root instead (no user namespace, {@code --cap-drop ALL}) would leave the script as host uid 0, owner of every
 * root file, or need capabilities inside to drop the uid: rejected.
 */
public final class ProcessSandboxing {
    /** The uid (and gid) a script runs as, inside the sandbox and, when the platform runs as root, on the host. */
    public static final int SANDBOX_UID = 65532;

    public static final String DEFAULT_BWRAP = "bwrap";
    private static final String SETPRIV = "/usr/bin/setpriv";
    private static final String UNSHARE = "/usr/bin/unshare";
    /** Where a sandbox sees the directory of its egress proxy's socket. */
    static final String EGRESS_MOUNT = "/run/cronhook";

    private static final String SH = "/bin/sh";
    private static final String STAGE = "/tmp";
    private static final Map<String, Probe> PROBES = new ConcurrentHashMap<>();

    /**
     * What this machine offers: {@code available} with a sandbox, else {@code reason} says why not; {@code
     * dropsPrivileges} when this process is root and sandboxes drop to uid {@value #SANDBOX_UID} first; {@code
     * cgroups} what limits a sandbox's memory, processes and CPU (or why the runtime's watchdog does instead).
     */
    public record Probe(boolean available, String reason, boolean dropsPrivileges, String cgroups) {
        @Override
        public String toString() {
            return available
                    ? "bubblewrap sandboxes as uid " + SANDBOX_UID + (dropsPrivileges ? " (dropped from root)" : "")
                            + ", " + cgroups
                    : "no process sandbox: " + reason;
        }
    }

    private ProcessSandboxing() {}

    /** The probe for {@code bwrap} on the PATH (run once, then remembered). */
    public static Probe available() {
        return probe(DEFAULT_BWRAP);
    }

    /** Whether a sandbox starts with this bwrap binary: runs {@code /bin/true} in one (once per binary). */
    public static Probe probe(String bwrap) {
        return PROBES.computeIfAbsent(bwrap, ProcessSandboxing::runProbe);
    }

    private static Probe runProbe(String bwrap) {
        boolean root = isRoot();
        String binary = resolve(bwrap);
        if (binary == null)
            return unavailable("no bubblewrap binary \"" + bwrap + "\" (install the bubblewrap package)");
        if (root) {
            for (String tool : List.of(SETPRIV, UNSHARE)) {
                if (!Files.isExecutable(Path.of(tool))) return unavailable("no " + tool + " to drop root (util-linux)");
            }
        }
        var command = new ArrayList<String>();
        if (root) command.addAll(dropToSandboxUid());
        command.addAll(List.of(
                binary,
                "--unshare-all",
                "--unshare-user",
                "--uid",
                String.valueOf(SANDBOX_UID),
                "--gid",
                String.valueOf(SANDBOX_UID),
                "--disable-userns",
                "--ro-bind",
                "/",
                "/",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "--",
                "/bin/true"));
        try {
            var process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return unavailable("a test sandbox did not end within 10 s");
            }
            if (process.exitValue() != 0) {
                return unavailable("a test sandbox failed (exit " + process.exitValue() + "): " + out
                        + " (user namespaces may be disabled: kernel.unprivileged_userns_clone,"
                        + " user.max_user_namespaces, or a seccomp/AppArmor profile)");
            }
        } catch (IOException e) {
            return unavailable("cannot run " + binary + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted while probing");
        }
        return new Probe(true, null, root, SandboxCgroups.detect().describe());
    }

    private static Probe unavailable(String reason) {
        return new Probe(false, reason, isRoot(), "none");
    }

    static boolean isRoot() {
        try {
            return "0"
                    .equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")
                            .toString());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The binary as given when it has a slash, else the first executable of that name on the PATH; null if none. */
    static String resolve(String binary) {
        if (binary.contains("/")) return Files.isExecutable(Path.of(binary)) ? binary : null;
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        return null;
    }

    private static List<String> dropToSandboxUid() {
        return List.of(
                SETPRIV, "--reuid=" + SANDBOX_UID, "--regid=" + SANDBOX_UID, "--clear-groups", "--no-new-privs", "--");
    }

    /**
     * The node binary and every file {@code ldd} lists for it, as absolute paths: what a sandbox binds read-only so
     * node runs and nothing else of the host is there.
     */
    static List<String> nodeFiles(String node) throws IOException {
        var ldd = new ProcessBuilder("ldd", node).redirectErrorStream(true).start();
        String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!ldd.waitFor(10, TimeUnit.SECONDS) || ldd.exitValue() != 0) {
                throw new IOException("ldd " + node + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running ldd", e);
        }
        Set<String> files = new LinkedHashSet<>();
        files.add(node);
        var absolute = Pattern.compile("(/\\S+)");
        for (String line : out.split("\n")) {
            var m = absolute.matcher(line);
            String last = null;
            while (m.find()) last = m.group(1);
            if (last != null) files.add(last);
        }
        return List.copyOf(files);
    }

    /**
     * The command that starts one sandbox running {@code nodeCommand} (its first word the node binary): a shell that
     * joins the sandbox's cgroups, stages the bundle (root only, see the class comment) and starts bwrap as its child.
     * The shell stays as bwrap's parent so that bwrap's {@code --die-with-parent} watches a single-threaded process
     * (a death signal follows the parent <em>thread</em>, and the JVM's threads come and go) and killing the shell
     * kills the sandbox.
     */
    static List<String> command(
            String bwrap,
            boolean root,
            List<String> nodeFiles,
            Path bundle,
            List<String> bundleEntries,
            Path nodeModules,
            List<Path> cgroupProcs,
            int tmpMb,
            Path egressDir,
            Map<String, String> env,
            List<String> nodeCommand) {
        var script = new StringBuilder("IFS='\n'\nfor f in $3; do echo $$ > \"$f\" || exit 125; done\n");
        if (root) {
            // the sources are opened before the tmpfs covers /tmp (a bundle may live there) and bound by their fds
            script.append("set -e\n")
                    .append("exec 3<\"$1\"\n")
                    .append("if [ -n \"$2\" ]; then exec 4<\"$2\"; fi\n")
                    .append("mount -t tmpfs -o mode=0755,size=64k,nosuid,nodev cronhook-stage " + STAGE + "\n")
                    .append("mkdir " + STAGE + "/app\n")
                    .append("mount -c --bind /proc/self/fd/3 " + STAGE + "/app\n")
                    .append("if [ -n \"$2\" ]; then mkdir " + STAGE + "/node_modules; mount -c --bind /proc/self/fd/4 "
                            + STAGE + "/node_modules; fi\n")
                    .append("exec 3<&- 4<&-\n")
                    .append("set +e\n");
        }
        script.append("shift 3\n\"$@\"\nexit $?\n");
        Path appSource = root ? Path.of(STAGE, "app") : bundle;
        Path modulesSource = nodeModules == null ? null : root ? Path.of(STAGE, "node_modules") : nodeModules;

        var command = new ArrayList<String>();
        if (root) command.addAll(List.of(UNSHARE, "--mount", "--propagation", "private", "--"));
        command.addAll(List.of(SH, "-c", script.toString(), "sh"));
        command.add(bundle.toString());
        command.add(nodeModules == null ? "" : nodeModules.toString());
        command.add(String.join("\n", cgroupProcs.stream().map(Path::toString).toList()));
        if (root) command.addAll(dropToSandboxUid());
        String uid = String.valueOf(SANDBOX_UID);
        command.addAll(List.of(
                bwrap,
                "--unshare-user",
                "--unshare-ipc",
                "--unshare-pid",
                "--unshare-net",
                "--unshare-uts",
                "--unshare-cgroup-try",
                "--uid",
                uid,
                "--gid",
                uid,
                "--disable-userns",
                "--die-with-parent",
                "--new-session",
                "--hostname",
                "sandbox"));
        for (String file : nodeFiles) command.addAll(List.of("--ro-bind", file, file));
        command.addAll(List.of("--tmpfs", "/app"));
        for (String entry : bundleEntries) {
            if (entry.equals("node_modules") && modulesSource != null) continue;
            command.addAll(List.of("--ro-bind", appSource.resolve(entry).toString(), "/app/" + entry));
        }
        if (modulesSource != null) command.addAll(List.of("--ro-bind", modulesSource.toString(), "/app/node_modules"));
        // the directory of its egress proxy's socket (world-traversable, the socket its group's only)
        if (egressDir != null) command.addAll(List.of("--ro-bind", egressDir.toString(), EGRESS_MOUNT));
        command.addAll(List.of(
                "--remount-ro",
                "/app",
                "--perms",
                "1777",
                "--size",
                String.valueOf(tmpMb * 1024L * 1024L),
                "--tmpfs",
                "/tmp",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "--remount-ro",
                "/",
                "--chdir",
                "/app",
                "--clearenv"));
        env.forEach((name, value) -> command.addAll(List.of("--setenv", name, value)));
        command.add("--");
        command.addAll(nodeCommand);
        return command;
    }
}

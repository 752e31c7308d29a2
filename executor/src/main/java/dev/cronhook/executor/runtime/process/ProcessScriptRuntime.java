package dev.cronhook.executor.runtime.process;

import dev.cronhook.core.harness.Harness;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.ImageUnavailableException;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.Sandbox;
import dev.cronhook.executor.runtime.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scripts as local {@code node} processes from bundle directories ({@code bundle:/abs/dir}), for machines with
 * no Docker engine. Each sandbox (one harness, kept warm across the calls of one version) runs under bubblewrap as
 * uid {@value ProcessSandboxing#SANDBOX_UID} in new user, mount, PID, network, IPC, UTS and cgroup namespaces,
 * seeing only the node binary and its libraries, its bundle at {@code /app} (read-only, node_modules bound from the
 * shared cache), a private {@code /tmp} tmpfs, a fresh {@code /proc} and a minimal {@code /dev}; see {@link
 * ProcessSandboxing} for how, and why so when the platform runs as root. Memory, processes and CPU are limited by
 * cgroups (v1 or v2) where this process may create them, else by a watchdog (resident memory and process count
 * every 50 ms, killed over the limit). Killing a sandbox kills every process in it: its PID namespace ends with its
 * init. A sandbox in which a call left processes running is retired, not reused.
 *
 * <p>Where no sandbox can be made (no bwrap, user namespaces refused) construction fails with {@link
 * ProcessSandboxUnavailableException}: a worker that cannot isolate user code must not take runs (another executor
 * may), and the operator learns it at start, not from each failed run. {@link Isolation#unsafeNone()} (the
 * operator's {@code CRONHOOK_UNSAFE_PROCESS_RUNTIME=true}, for a single-user laptop) runs node directly as this
 * process's user, isolated from nothing.
 */
public final class ProcessScriptRuntime extends HarnessScriptRuntime {
    private static final Logger log = LoggerFactory.getLogger(ProcessScriptRuntime.class);
    public static final String BUNDLE_PREFIX = "bundle:";
    private static final String SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid" : null;
    /** What a sandbox's script finds in its environment besides what an invocation gives it. */
    static final Map<String, String> SANDBOX_ENV =
            Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", "/tmp", "TMPDIR", "/tmp");

    /** Whether scripts run sandboxed (with this bwrap binary) or, explicitly, not isolated at all. */
    public record Isolation(boolean sandboxed, String bwrap) {
        public static Isolation sandbox() {
            return new Isolation(true, ProcessSandboxing.DEFAULT_BWRAP);
        }

        public static Isolation sandboxWith(String bwrap) {
            return new Isolation(true, bwrap);
        }

        /** No sandbox: scripts run as this process's user on the host. Only for a single-user machine. */
        /**
         * A sandbox; no isolation only when {@code unsafeAllowed} (the operator's word that this is a single-user
         * machine) and no sandbox can be made here.
         */
        public static Isolation choose(boolean unsafeAllowed) {
            if (!unsafeAllowed || ProcessSandboxing.available().available()) return sandbox();
            return unsafeNone();
        }

        public static Isolation unsafeNone() {
            return new Isolation(false, null);
        }
    }

    private final String node;
    private final Path workDir;
    private final Isolation isolation;
    private final String bwrap;
    private final boolean root;
    private final List<String> nodeFiles;
    private final SandboxCgroups cgroups;
    private final Set<ProcessSandbox> live = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private volatile boolean closed;
    private volatile EgressProxy egress;
    private static final String EGRESS_DIR_PREFIX = "cronhook-egress-";

    /** A runtime whose scripts run sandboxed; throws {@link ProcessSandboxUnavailableException} where none can be. */
    public ProcessScriptRuntime(String node, Path workDir, RuntimeLimits limits, WarmSettings warm) {
        this(node, workDir, limits, warm, Isolation.sandbox());
    }

    public ProcessScriptRuntime(
            String node, Path workDir, RuntimeLimits limits, WarmSettings warm, Isolation isolation) {
        super(limits, warm);
        this.workDir = workDir;
        this.isolation = isolation;
        String given = node == null || node.isBlank() ? "node" : node;
        if (isolation.sandboxed()) {
            var probe = ProcessSandboxing.probe(isolation.bwrap());
            if (!probe.available()) {
                throw new ProcessSandboxUnavailableException("the process runtime cannot sandbox scripts: "
                        + probe.reason()
                        + ". Install bubblewrap and allow unprivileged user namespaces, use Docker, or on a"
                        + " single-user machine set CRONHOOK_UNSAFE_PROCESS_RUNTIME=true to run scripts unisolated");
            }
            this.node = ProcessSandboxing.resolve(given);
            if (this.node == null) throw new ProcessSandboxUnavailableException("no node binary \"" + given + "\"");
            try {
                this.nodeFiles = ProcessSandboxing.nodeFiles(this.node);
            } catch (IOException e) {
                throw new ProcessSandboxUnavailableException("cannot list the files node needs: " + e.getMessage());
            }
            this.bwrap = ProcessSandboxing.resolve(isolation.bwrap());
            this.root = probe.dropsPrivileges();
            this.cgroups = SandboxCgroups.detect();
            log.info(
                    "scripts run as local node processes in bubblewrap sandboxes as uid {}{}; limits by {}",
                    ProcessSandboxing.SANDBOX_UID,
                    root ? " (dropped from root)" : "",
                    cgroups.available() ? cgroups.describe() : "a watchdog: " + cgroups.describe());
        } else {
            this.node = given;
            this.nodeFiles = List.of();
            this.bwrap = null;
            this.root = false;
            this.cgroups = SandboxCgroups.none("unsafe mode");
            log.warn("CRONHOOK_UNSAFE_PROCESS_RUNTIME: scripts run as local node processes NOT isolated from this host"
                    + " (its files, network, processes, as this process's user). Only for a single-user machine.");
        }
        this.watchdog = Thread.ofVirtual().name("process-runtime-limits").start(this::watchLimits);
    }

    /** Whether this runtime's scripts run in sandboxes. */
    public boolean sandboxed() {
        return isolation.sandboxed();
    }

    @Override
    protected Sandbox start(SandboxSpec spec, Sandbox.SandboxOutput output) throws IOException {
        if (!spec.image().startsWith(BUNDLE_PREFIX)) {
            throw new ImageUnavailableException(
                    "the process runtime runs bundles (bundle:/dir), not " + spec.image(), null);
        }
        Path bundle = Path.of(spec.image().substring(BUNDLE_PREFIX.length()));
        if (!Files.isRegularFile(bundle.resolve(Harness.FILE_NAME))) {
            throw new ImageUnavailableException("no " + Harness.FILE_NAME + " in bundle " + bundle, null);
        }
        int heapMb = Math.max(16, spec.memoryMb() * 3 / 4);
        long memoryBytes = spec.memoryMb() * 1024L * 1024L;
        // without cgroups, processes are counted and the sandbox is killed over the limit
        int maxProcesses = Math.max(2, limits.pidsLimit() / 8);
        ProcessSandbox sandbox = isolation.sandboxed()
                ? startSandboxed(bundle, heapMb, memoryBytes, maxProcesses, output)
                : startUnsafe(bundle, heapMb, memoryBytes, maxProcesses, output);
        live.add(sandbox);
        return sandbox;
    }

    private ProcessSandbox startSandboxed(
            Path bundle, int heapMb, long memoryBytes, int maxProcesses, Sandbox.SandboxOutput output)
            throws IOException {
        List<String> entries;
        try (var list = Files.list(bundle)) {
            entries = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        Path links = bundle.resolve("node_modules");
        Path nodeModules = Files.isSymbolicLink(links) ? links.toRealPath() : null;
        var group = cgroups.available() ? cgroups.create(memoryBytes, limits.pidsLimit(), limits.cpus()) : null;
        var proxy = egress;
        Path egressDir = null;
        EgressProxy.Gate gate = null;
        Map<String, String> env = SANDBOX_ENV;
        if (proxy != null) {
            try {
                egressDir = egressDirectory();
                gate = proxy.open(egressDir.resolve(EgressProxy.socketFileName()));
                restrictToSandbox(egressDir.resolve(EgressProxy.socketFileName()));
            } catch (IOException | RuntimeException e) {
                if (gate != null) gate.close();
                deleteQuietly(egressDir);
                if (group != null) group.remove();
                throw e;
            }
            env = new java.util.HashMap<>(SANDBOX_ENV);
            env.put(Harness.EGRESS_ENV, ProcessSandboxing.EGRESS_MOUNT + "/" + EgressProxy.socketFileName());
            byte[] extraCa = proxy.extraCaCertificates();
            if (extraCa != null) {
                Path ca = Files.write(egressDir.resolve("ca.pem"), extraCa);
                Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
                env.put("NODE_EXTRA_CA_CERTS", ProcessSandboxing.EGRESS_MOUNT + "/ca.pem");
            }
        }
        var command = ProcessSandboxing.command(
                bwrap,
                root,
                nodeFiles,
                bundle.toAbsolutePath(),
                entries,
                nodeModules,
                group == null ? List.of() : group.procsFiles(),
                limits.tmpMb(),
                egressDir,
                env,
                List.of(node, "--max-old-space-size=" + heapMb, "/app/" + Harness.FILE_NAME));
        var builder = new ProcessBuilder(command);
        // the executor's own environment may hold credentials: the tools that start the sandbox get a PATH only
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        Process process;
        try {
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            if (group != null) group.remove();
            if (gate != null) gate.close();
            deleteQuietly(egressDir);
            throw e;
        }
        // with nothing but the harness running: the shell (in the cgroup only), bwrap, bwrap's init and node
        int base = group != null ? 4 : 3;
        var egressGate = gate;
        var egressPath = egressDir;
        return new ProcessSandbox(process, memoryBytes, maxProcesses, false, group, base, output) {
            @Override
            public void admitEgress(UUID scriptId, EgressPolicy policy) {
                if (egressGate != null) egressGate.admit(scriptId, policy);
            }

            @Override
            public void endEgress() {
                if (egressGate != null) egressGate.closeCall();
            }

            @Override
            public void destroy() {
                super.destroy();
                if (egressGate != null) egressGate.close();
                deleteQuietly(egressPath);
                live.remove(this);
            }
        };
    }

    /**
     * Gives every sandbox started from now on a gate of {@code proxy}: the only way its code reaches the network (it
     * has none of its own), as each call's egress policy allows. Unisolated scripts have the host's network instead.
     */
    public void egressProxy(EgressProxy proxy) {
        if (!isolation.sandboxed()) throw new IllegalStateException("unisolated scripts have the host's network");
        this.egress = proxy;
    }

    /**
     * A new directory for one sandbox's egress socket, where the sandbox's user can reach it (bubblewrap binds it by
     * path as that user): under the system's temporary directory, searchable by all, listable by none.
     */
    private Path egressDirectory() throws IOException {
        // as root the sandbox's staging covers /tmp with a tmpfs before bubblewrap binds anything: use /run then
        Path parent = Path.of(System.getProperty("java.io.tmpdir"));
        if (root) {
            parent = Files.createDirectories(Path.of("/run", "cronhook-egress"));
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Path dir = Files.createTempDirectory(parent, EGRESS_DIR_PREFIX);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    /** Only the sandbox's user (and this process) may connect: as root, by its group; else by this very user. */
    private void restrictToSandbox(Path socket) throws IOException {
        if (root) {
            Files.setAttribute(socket, "unix:gid", ProcessSandboxing.SANDBOX_UID);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        } else {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try (var entries = Files.list(dir)) {
            for (var entry : entries.toList()) Files.deleteIfExists(entry);
            Files.deleteIfExists(dir);
        } catch (IOException | java.io.UncheckedIOException e) {
            // a leftover in the temporary directory, empty but for a dead socket
        }
    }

    private ProcessSandbox startUnsafe(
            Path bundle, int heapMb, long memoryBytes, int maxProcesses, Sandbox.SandboxOutput output)
            throws IOException {
        Path tmp = workDir.resolve("tmp");
        Files.createDirectories(tmp);
        var command = new ArrayList<String>();
        // its own session and process group, so a kill reaches every process the script forked, orphans too
        if (SETSID != null) command.add(SETSID);
        command.addAll(List.of(
                node,
                "--max-old-space-size=" + heapMb,
                bundle.resolve(Harness.FILE_NAME).toString()));
        var builder = new ProcessBuilder(command).directory(bundle.toFile());
        // the executor's own environment may hold credentials: the script sees only what it is given
        var env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", tmp.toString());
        env.put("TMPDIR", tmp.toString());
        return new ProcessSandbox(builder.start(), memoryBytes, maxProcesses, SETSID != null, null, 0, output) {
            @Override
            public void destroy() {
                super.destroy();
                live.remove(this);
            }
        };
    }

    private void watchLimits() {
        while (!closed) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            for (var sandbox : live) {
                if (sandbox.isAlive()) sandbox.checkLimits();
            }
        }
    }

    @Override
    public void close() {
        super.close();
        closed = true;
        watchdog.interrupt();
        live.forEach(ProcessSandbox::destroy);
        cgroups.close();
    }
}

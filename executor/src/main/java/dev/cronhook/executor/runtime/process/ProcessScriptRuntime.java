package dev.cronhook.executor.runtime.process;

import dev.cronhook.core.harness.Harness;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.ImageUnavailableException;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.Sandbox;
import dev.cronhook.executor.runtime.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scripts as local {@code node} processes from bundle directories ({@code bundle:/abs/dir}), for machines
 * with no Docker engine. It applies the limits a process can have (V8 heap size; resident memory and the number
 * of processes watched every 50 ms and killed over the limit; timeouts; a clean environment) but does NOT isolate
 * scripts from the host.
 */
public final class ProcessScriptRuntime extends HarnessScriptRuntime {
    private static final Logger log = LoggerFactory.getLogger(ProcessScriptRuntime.class);
    public static final String BUNDLE_PREFIX = "bundle:";
    private static final String SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid" : null;

    private final String node;
    private final Path workDir;
    private final Set<ProcessSandbox> live = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private volatile boolean closed;

    public ProcessScriptRuntime(String node, Path workDir, RuntimeLimits limits, WarmSettings warm) {
        super(limits, warm);
        this.node = node == null || node.isBlank() ? "node" : node;
        this.workDir = workDir;
        log.warn("Scripts run as local node processes: the process runtime does NOT isolate them from this host"
                + " (file system, network, other processes). Use the Docker runtime for untrusted scripts.");
        this.watchdog = Thread.ofVirtual().name("process-runtime-memory").start(this::watchMemory);
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
        Path tmp = workDir.resolve("tmp");
        Files.createDirectories(tmp);
        int heapMb = Math.max(16, spec.memoryMb() * 3 / 4);
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
        // a process cannot be given a pids cgroup: its processes are counted and it is killed over the limit
        int maxProcesses = Math.max(2, limits.pidsLimit() / 8);
        var sandbox =
                new ProcessSandbox(
                        builder.start(), spec.memoryMb() * 1024L * 1024L, maxProcesses, SETSID != null, output) {
                    @Override
                    public void destroy() {
                        super.destroy();
                        live.remove(this);
                    }
                };
        live.add(sandbox);
        return sandbox;
    }

    private void watchMemory() {
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
    }
}

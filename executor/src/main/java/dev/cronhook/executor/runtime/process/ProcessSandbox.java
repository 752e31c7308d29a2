package dev.cronhook.executor.runtime.process;

import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.runtime.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One local harness: a bubblewrap sandbox (its shell is {@code process}), or in unsafe mode a bare node process;
 * its descendants die with it. Limits come from its cgroups when it has them, else from {@link #checkLimits} (its
 * resident memory and number of processes, watched by the runtime).
 */
class ProcessSandbox implements Sandbox {
    private final Process process;
    private final OutputStream stdin;
    private final long maxRssBytes;
    private final int maxProcesses;
    private final boolean inOwnProcessGroup;
    private final SandboxCgroups.Group cgroup;
    private final int baseProcesses;
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private final CountDownLatch streamsDone = new CountDownLatch(2);
    private volatile boolean outOfMemory;
    private volatile boolean tooManyProcesses;

    /**
     * {@code cgroup} null without cgroups; {@code baseProcesses}: how many processes it holds with nothing but the
     * harness running (counted in its cgroup when it has one, else among the descendants of {@code process}).
     */
    ProcessSandbox(
            Process process,
            long maxRssBytes,
            int maxProcesses,
            boolean inOwnProcessGroup,
            SandboxCgroups.Group cgroup,
            int baseProcesses,
            SandboxOutput output) {
        this.process = process;
        this.inOwnProcessGroup = inOwnProcessGroup;
        this.cgroup = cgroup;
        this.baseProcesses = baseProcesses;
        this.stdin = process.getOutputStream();
        this.maxRssBytes = maxRssBytes;
        this.maxProcesses = maxProcesses;
        pump(process.getInputStream(), LogStream.STDOUT, output);
        pump(process.getErrorStream(), LogStream.STDERR, output);
        Thread.ofVirtual().name("harness-exit-" + process.pid()).start(() -> {
            try {
                streamsDone.await();
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            output.ended();
        });
    }

    private void pump(InputStream in, LogStream stream, SandboxOutput output) {
        Thread.ofVirtual()
                .name("harness-" + stream.wireName() + "-" + process.pid())
                .start(() -> {
                    byte[] buf = new byte[16 * 1024];
                    try (in) {
                        int n;
                        while ((n = in.read(buf)) >= 0) output.output(stream, buf, 0, n);
                    } catch (IOException e) {
                        // the process is gone
                    } finally {
                        streamsDone.countDown();
                    }
                });
    }

    @Override
    public String id() {
        return "pid-" + process.pid();
    }

    @Override
    public void send(byte[] frame) throws IOException {
        synchronized (stdin) {
            stdin.write(frame);
            stdin.flush();
        }
    }

    @Override
    public void kill() {
        // the cgroup first: a fork bomb cannot outrun it, and it holds double-forked orphans too
        if (cgroup != null) cgroup.killAll();
        var descendants = process.descendants().toList();
        if (inOwnProcessGroup) killProcessGroup();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The harness leads its own process group (started by setsid): one signal reaches every process it forked. */
    private void killProcessGroup() {
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no kill(1): fall back to killing the processes we can see
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Kills the sandbox when its cgroup saw the memory limit kill a process or a fork fail on the pids limit; without
     * cgroups, when its resident memory or its number of processes (with descendants) is over the limit.
     */
    void checkLimits() {
        if (!process.isAlive()) return;
        if (cgroup != null) {
            if (cgroup.outOfMemory()) {
                outOfMemory = true;
                kill();
            } else if (cgroup.hitProcessLimit()) {
                tooManyProcesses = true;
                kill();
            }
            return;
        }
        var descendants = process.descendants().toList();
        if (descendants.size() + 1 > maxProcesses) {
            tooManyProcesses = true;
            kill();
            return;
        }
        long rss = rss(process.pid());
        for (var d : descendants) rss += rss(d.pid());
        if (rss > maxRssBytes) {
            outOfMemory = true;
            kill();
        }
    }

    private static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended meanwhile
        }
        return 0;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public Optional<String> limitHit() {
        if (outOfMemory || cgroup != null && cgroup.outOfMemory()) return Optional.of(Sandbox.MEMORY_LIMIT);
        if (tooManyProcesses || cgroup != null && cgroup.hitProcessLimit()) return Optional.of(Sandbox.PROCESS_LIMIT);
        return Optional.empty();
    }

    @Override
    public boolean leftProcessesBehind() {
        if (!process.isAlive()) return false;
        long count =
                cgroup != null ? cgroup.processCount() : process.descendants().count();
        return count > baseProcesses;
    }

    @Override
    public ExitStatus exitStatus() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (cgroup != null && cgroup.outOfMemory()) outOfMemory = true;
        return new ExitStatus(process.isAlive() ? -1 : process.exitValue(), outOfMemory, tooManyProcesses);
    }

    @Override
    public void destroy() {
        if (!destroyed.compareAndSet(false, true)) return;
        kill();
        try {
            stdin.close();
        } catch (IOException ignored) {
            // the process is gone
        }
        if (cgroup == null) return;
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            // its processes leave the cgroup as the kernel reaps them, a little after the kill
            for (int i = 0; i < 100 && !cgroup.remove(); i++) {
                cgroup.killAll();
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

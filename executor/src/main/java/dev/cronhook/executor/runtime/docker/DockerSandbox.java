package dev.cronhook.executor.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.runtime.Sandbox;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One container running the harness, attached before it started: frames go to the harness over its socket when it
 * has one ({@link HarnessSocket}), else to its stdin; stdout and stderr come through the attach.
 */
final class DockerSandbox implements Sandbox {
    /** Where, in its socket directory, a blank sandbox's code is put. */
    static final String CODE_DIR = "code";

    private static final int EARLY_OUTPUT_BYTES = 4096;

    private final DockerClient docker;
    private final String containerId;
    private final StdinStream stdin;
    private final HarnessSocket socket;
    private final EgressProxy.Gate egress;
    private final SandboxOutput output;
    private final AtomicInteger openStreams;
    private final AtomicBoolean attachEnded = new AtomicBoolean();
    private final CompletableFuture<Void> attachDone = new CompletableFuture<>();
    private final StringBuilder earlyOutput = new StringBuilder();
    private volatile Closeable attachment;
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private volatile boolean killed;
    private volatile boolean connected;
    private volatile long hostPid = -1;
    private volatile String[] countingCommand;
    private volatile Optional<ContainerCgroup> cgroup;
    /** Guards the cgroup's finding against the sandbox's end, which closes the files it keeps open. */
    private final Object cgroupLock = new Object();

    /**
     * {@code stdin} for a harness on stdio, or {@code socket} for one on a socket; the other is null. {@code egress}:
     * its gate of the egress proxy, or null for none.
     */
    DockerSandbox(
            DockerClient docker,
            String containerId,
            StdinStream stdin,
            HarnessSocket socket,
            SandboxOutput output,
            EgressProxy.Gate egress) {
        this.docker = docker;
        this.egress = egress;
        this.containerId = containerId;
        this.stdin = stdin;
        this.socket = socket;
        this.output = output;
        this.openStreams = new AtomicInteger(socket == null ? 1 : 2);
        // a harness on stdio has nothing to connect to
        this.connected = socket == null;
    }

    void attachment(Closeable attachment) {
        this.attachment = attachment;
    }

    /** Output from the attach; until the harness is connected a little of it is kept for the error message. */
    void attached(LogStream stream, byte[] payload) {
        if (!connected) {
            synchronized (earlyOutput) {
                if (earlyOutput.length() < EARLY_OUTPUT_BYTES) {
                    earlyOutput.append(new String(payload, StandardCharsets.UTF_8));
                }
            }
        }
        output.output(stream, payload, 0, payload.length);
    }

    /** The attach has ended: the container's output is over. */
    void attachEnded() {
        if (!attachEnded.compareAndSet(false, true)) return;
        attachDone.complete(null);
        streamEnded();
    }

    CompletableFuture<Void> attachDone() {
        return attachDone;
    }

    String earlyOutput() {
        synchronized (earlyOutput) {
            return earlyOutput.toString().strip();
        }
    }

    /** The harness has connected to its socket: read its frames from now on. */
    void connected() {
        connected = true;
        socket.read(shortId(), (bytes, n) -> output.frames(bytes, 0, n), () -> {
            // a harness without its channel can serve nobody: the container goes too
            if (!destroyed.get()) kill();
            streamEnded();
        });
    }

    private void streamEnded() {
        if (openStreams.decrementAndGet() == 0) output.ended();
    }

    @Override
    public String id() {
        return containerId;
    }

    @Override
    public boolean privateChannel() {
        return socket != null;
    }

    @Override
    public void send(byte[] frame) throws IOException {
        if (destroyed.get() || killed) throw new IOException("container " + shortId() + " is gone");
        if (socket != null) socket.send(frame);
        else stdin.offer(frame);
    }

    @Override
    public void kill() {
        if (killed) return;
        killed = true;
        try {
            docker.killContainerCmd(containerId).exec();
        } catch (NotFoundException | ConflictException e) {
            // already stopped or removed
        }
    }

    @Override
    public ExitStatus exitStatus() {
        try {
            var state = docker.inspectContainerCmd(containerId).exec().getState();
            Long code = state.getExitCodeLong();
            return new ExitStatus(code == null ? -1 : code, Boolean.TRUE.equals(state.getOOMKilled()), false);
        } catch (NotFoundException e) {
            return new ExitStatus(-1, false, false);
        }
    }

    @Override
    public void destroy() {
        if (!destroyed.compareAndSet(false, true)) return;
        if (stdin != null) stdin.close();
        try {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        } catch (NotFoundException | ConflictException e) {
            // gone already, or removal already in progress
        }
        if (egress != null) egress.close();
        if (socket != null) socket.close();
        Optional<ContainerCgroup> group;
        synchronized (cgroupLock) {
            group = cgroup;
        }
        if (group != null) group.ifPresent(ContainerCgroup::close);
        try {
            if (attachment != null) attachment.close();
        } catch (IOException ignored) {
            // the stream is gone with its container
        }
    }

    @Override
    public void admitEgress(UUID scriptId, EgressPolicy policy) {
        if (egress != null) egress.admit(scriptId, policy);
    }

    @Override
    public void endEgress() {
        if (egress != null) egress.closeCall();
    }

    /** The host directory a blank sandbox's harness loads its code from (inside the directory it sees read-only). */
    Path codeDir() {
        if (socket == null) throw new IllegalStateException("container " + shortId() + " has no directory of its own");
        return socket.dir().resolve(CODE_DIR);
    }

    /**
     * The harness is the container's PID 1 (no init), so every process a script left running, orphans included, is
     * its descendant and in the container's cgroup. Where the harness is a process this host sees (a local engine, runc
     * or crun) the cgroup's list of processes is read (one or two files; the harness's children from /proc, a file per
     * thread, where the cgroup cannot be read), which costs microseconds; elsewhere (a remote engine, gVisor's own
     * kernel) the container's own /proc is read from inside it by its interpreter ({@code docker exec}). Not {@code
     * docker top}: it lists the host's processes whose pids the runtime names, and gVisor names the sandbox's own pids,
     * so leftovers whose pids this host happens not to use went unseen and the container was reused with them.
     */
    @Override
    public boolean leftProcessesBehind() {
        if (destroyed.get() || killed) return false;
        try {
            long pid = harnessPid();
            if (pid > 0) {
                return cgroup().flatMap(group -> group.holdsOtherThan(pid)).orElseGet(() -> hasChildren(pid));
            }
            // the harness and the process counting them
            return processesInside() > 2;
        } catch (RuntimeException e) {
            // the container is gone, the engine did not answer, or nothing could start in it: not worth reusing
            return true;
        }
    }

    /** How many processes the container's /proc shows, the counting one included (read by the harness's interpreter). */
    private int processesInside() {
        var exec = docker.execCreateCmd(containerId)
                .withCmd(countingCommand())
                .withAttachStdout(true)
                .withAttachStderr(true)
                .exec();
        var out = new StringBuilder();
        try {
            boolean done = docker.execStartCmd(exec.getId())
                    .exec(
                            new com.github.dockerjava.api.async.ResultCallback.Adapter<
                                    com.github.dockerjava.api.model.Frame>() {
                                @Override
                                public void onNext(com.github.dockerjava.api.model.Frame frame) {
                                    if (frame.getStreamType() == com.github.dockerjava.api.model.StreamType.STDOUT) {
                                        out.append(new String(
                                                frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                                    }
                                }
                            })
                    .awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS);
            if (!done) throw new IllegalStateException("counting the container's processes timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return Integer.parseInt(out.toString().strip());
    }

    /**
     * Read from the container's cgroup where this host sees it (a local engine, runc, crun or runsc: microseconds);
     * elsewhere the pids limit still contains a fork bomb and the memory limit still kills, but a run that caught the
     * failure is not failed for it.
     */
    @Override
    public Optional<String> limitHit() {
        if (destroyed.get()) return Optional.empty();
        return cgroup().flatMap(ContainerCgroup::limitHit);
    }

    /**
     * From the container's cgroup where this host sees it; empty elsewhere (the pool then counts it nominally). Read
     * at most once a second: the pool weighs a sandbox each time a call gives it back, and reading two cgroup files
     * on every call was 2% of the JVM's CPU on a hot script, for a figure that moves little between calls.
     */
    @Override
    public OptionalLong memoryBytes() {
        if (destroyed.get()) return OptionalLong.empty();
        var last = held;
        long now = System.nanoTime();
        if (last != null && now - last.at() < HELD_FOR_NANOS) return last.bytes();
        var bytes = cgroup().map(ContainerCgroup::memoryHeld).orElse(OptionalLong.empty());
        held = new Held(bytes, now);
        return bytes;
    }

    private static final long HELD_FOR_NANOS = 1_000_000_000L;

    /** What {@link #memoryBytes} read last, and when ({@link System#nanoTime}). */
    private record Held(OptionalLong bytes, long at) {}

    private volatile Held held;

    /**
     * The container's cgroup on this host, found once (its first process does not change); its files are closed when
     * the sandbox ends.
     */
    private Optional<ContainerCgroup> cgroup() {
        var group = cgroup;
        if (group != null) return group;
        try {
            Long pid = docker.inspectContainerCmd(containerId).exec().getState().getPidLong();
            group = pid != null && pid > 0 ? ContainerCgroup.of(pid, containerId) : Optional.empty();
        } catch (RuntimeException e) {
            // gone, or the engine did not answer: ask again next time
            return Optional.empty();
        }
        synchronized (cgroupLock) {
            // found meanwhile by another call, or the sandbox ended: its files are not to be kept open by this one
            if (cgroup != null || destroyed.get()) {
                group.ifPresent(ContainerCgroup::close);
                return cgroup != null ? cgroup : Optional.empty();
            }
            cgroup = group;
        }
        return group;
    }

    /**
     * The command that counts the container's processes with the harness's interpreter; asked of the engine once (a
     * container's entrypoint does not change), not after every call.
     */
    private String[] countingCommand() {
        var command = countingCommand;
        if (command != null) return command;
        var entrypoint =
                docker.inspectContainerCmd(containerId).exec().getConfig().getEntrypoint();
        if (entrypoint == null || entrypoint.length < 2) throw new IllegalStateException("no harness entrypoint");
        command = entrypoint[1].endsWith(".py")
                ? new String[] {
                    entrypoint[0], "-c", "import os; print(sum(1 for d in os.listdir('/proc') if d.isdigit()))"
                }
                : new String[] {
                    entrypoint[0],
                    "-e",
                    "console.log(require('fs').readdirSync('/proc').filter(d => /^[0-9]+$/.test(d)).length)"
                };
        countingCommand = command;
        return command;
    }

    /** The harness's pid on this host, or 0 when this host does not see it as a process. */
    private long harnessPid() {
        long pid = hostPid;
        if (pid >= 0) return pid;
        Long state = docker.inspectContainerCmd(containerId).exec().getState().getPidLong();
        pid = 0;
        if (state != null && state > 0) {
            try {
                String cmdline = Files.readString(Path.of("/proc", state.toString(), "cmdline"));
                // any language's harness: anything else (docker top on every call) costs ~10 ms a warm call
                for (var language : LanguageRuntime.names()) {
                    if (cmdline.contains(LanguageRuntime.of(language).harnessFile())) pid = state;
                }
            } catch (IOException | RuntimeException e) {
                // another pid namespace (a remote engine, or the executor in a container)
            }
        }
        hostPid = pid;
        return pid;
    }

    private static boolean hasChildren(long pid) {
        var tasks = Path.of("/proc", String.valueOf(pid), "task");
        try (var list = Files.list(tasks)) {
            for (var task : list.toList()) {
                if (!Files.readString(task.resolve("children")).isBlank()) return true;
            }
            return false;
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    String shortId() {
        return containerId.substring(0, Math.min(12, containerId.length()));
    }
}

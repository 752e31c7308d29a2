package dev.cronhook.executor.runtime;

import dev.cronhook.core.net.EgressPolicy;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * One started harness (a container or a process) as a runtime adapter provides it. Its output reaches the
 * {@link SandboxOutput} given when it was started.
 */
public interface Sandbox {
    /** The error of a run whose sandbox's memory limit killed a process. */
    String MEMORY_LIMIT = "memory limit exceeded";

    /** The error of a run whose sandbox refused a fork on its process limit. */
    String PROCESS_LIMIT = "process limit exceeded";

    String id();

    /** Writes one frame to the harness: on its private channel when it has one, else to its stdin. */
    void send(byte[] frame) throws IOException;

    /**
     * Whether the harness speaks over a private channel (its frames arrive through {@link SandboxOutput#frames})
     * rather than stdout/stderr, which then carry only output that went around the harness.
     */
    default boolean privateChannel() {
        return false;
    }

    /**
     * Whether processes other than the harness still run in it after an invocation (children the script started and
     * left running, detached or double-forked): such a sandbox is not reused, so nothing of one run meets the next.
     */
    default boolean leftProcessesBehind() {
        return false;
    }

    /**
     * Which limit of its own, if any, killed something in it or refused it something (the memory limit killed a
     * child, a fork met the pids limit), as the run's error ("process limit exceeded"), even though the invocation
     * ended normally. The invocation then fails with it, as it would where the runtime kills the whole sandbox for
     * it, and the sandbox is not reused.
     */
    default Optional<String> limitHit() {
        return Optional.empty();
    }

    /**
     * The memory it holds now (its processes, as its cgroup is charged), when the runtime can tell cheaply; empty
     * when it cannot (the warm pool then counts a nominal size for it).
     */
    default OptionalLong memoryBytes() {
        return OptionalLong.empty();
    }

    /**
     * Lets the call about to start reach what {@code policy} allows through the sandbox's egress proxy, if it has one
     * (a sandbox without one has no network at all).
     */
    default void admitEgress(UUID scriptId, EgressPolicy policy) {}

    /** The call ended: its egress proxy admits nothing more until the next call. */
    default void endEgress() {}

    /** Kills it at once; idempotent; its output ends soon after. */
    void kill();

    /** After the output has ended: its exit code and whether it was killed for exceeding a limit. */
    ExitStatus exitStatus();

    /** Kills it and frees what it holds (container, files, socket); idempotent. */
    void destroy();

    /** How a sandbox ended; {@code tooManyProcesses} when a runtime that counts processes killed it for that. */
    record ExitStatus(long exitCode, boolean outOfMemory, boolean tooManyProcesses) {}

    /** Where a sandbox delivers its output; each stream in order, from one thread per stream. */
    interface SandboxOutput {
        void output(LogStream stream, byte[] bytes, int offset, int length);

        /** Bytes from the harness's private channel, in order, from one thread. */
        void frames(byte[] bytes, int offset, int length);

        /** Called once when every stream has ended (the harness exited or was killed). */
        void ended();
    }
}

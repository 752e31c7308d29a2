package dev.cronhook.executor.runtime;

import java.io.IOException;

/**
 * One started harness (a container or a process) as a runtime adapter provides it. Its output reaches the
 * {@link SandboxOutput} given when it was started.
 */
public interface Sandbox {
    String id();

    /** Writes one frame to the harness's stdin. */
    void send(byte[] frame) throws IOException;

    /** Kills it at once; idempotent; its output ends soon after. */
    void kill();

    /** After the output has ended: its exit code and whether it was killed for exceeding a limit. */
    ExitStatus exitStatus();

    /** Kills it and frees what it holds (container, files); idempotent. */
    void destroy();

    /** How a sandbox ended; {@code tooManyProcesses} when a runtime that counts processes killed it for that. */
    record ExitStatus(long exitCode, boolean outOfMemory, boolean tooManyProcesses) {}

    /** Where a sandbox delivers its output; each stream in order, from one thread per stream. */
    interface SandboxOutput {
        void output(LogStream stream, byte[] bytes, int offset, int length);

        /** Called once when both streams have ended (the harness exited or was killed). */
        void ended();
    }
}

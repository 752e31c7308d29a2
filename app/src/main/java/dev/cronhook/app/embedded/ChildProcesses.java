package dev.cronhook.app.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starting, stopping and cleaning up after the embedded servers' processes. */
final class ChildProcesses {
    private ChildProcesses() {}

    static boolean isRoot() {
        try {
            var p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return out.equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a command to its end; returns its output, or throws with it when the exit code is not 0. */
    static String run(List<String> command, Duration timeout) throws IOException {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String out = new String(p.getInputStream().readAllBytes());
            if (!done) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout);
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }

    /** Asks a process to stop with a signal, then waits for it; kills it when it takes too long. */
    static void stop(ProcessHandle process, String signal, Duration grace) {
        if (!process.isAlive()) return;
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
        }
    }

    /**
     * A process left running by an earlier start that died without stopping it (its pid is in {@code pidFile}
     * and its command line names {@code marker}) is stopped, so this start can take over its files.
     */
    static void stopLeftover(Path pidFile, String marker, String signal) throws IOException {
        if (!Files.exists(pidFile)) return;
        var lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) return;
        long pid;
        try {
            pid = Long.parseLong(lines.getFirst().trim());
        } catch (NumberFormatException e) {
            return;
        }
        var handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) return;
        String cmd = handle.get().info().commandLine().orElse("");
        if (!cmd.contains(marker)) return;
        stop(handle.get(), signal, Duration.ofSeconds(20));
    }
}

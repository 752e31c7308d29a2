package dev.cronhook.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a CLI invocation talks to: its standard streams, its environment variables and its working directory. The
 * launcher passes the process's own; tests pass their own, so the CLI runs in-process.
 */
public record Terminal(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Path cwd) {
    /** The process's own streams, environment and working directory. */
    public static Terminal ofProcess() {
        return new Terminal(
                System.in, System.out, System.err, System.getenv(), Path.of("").toAbsolutePath());
    }

    /** A path as the user gave it, resolved against the working directory. */
    public Path resolve(String path) {
        return cwd.resolve(path).normalize();
    }

    /** Whether a password can be read without echo: only for the process's own console. */
    boolean interactive() {
        return in == System.in && System.console() != null && System.console().isTerminal();
    }
}

package dev.cronhook.cli;

/** A command's failure: the message for stderr and the exit code the CLI ends with (see {@link ExitCode}). */
public class CliException extends RuntimeException {
    private final int exitCode;
    private final java.util.List<String> details;

    public CliException(int exitCode, String message) {
        this(exitCode, message, java.util.List.of());
    }

    public CliException(int exitCode, String message, java.util.List<String> details) {
        super(message);
        this.exitCode = exitCode;
        this.details = java.util.List.copyOf(details);
    }

    public int exitCode() {
        return exitCode;
    }

    /** Further lines under the message: field errors, a build log's tail. */
    public java.util.List<String> details() {
        return details;
    }

    public static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, message);
    }
}

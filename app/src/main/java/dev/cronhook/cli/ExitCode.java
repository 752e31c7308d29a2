package dev.cronhook.cli;

/** The CLI's exit codes, as the README documents them. */
public final class ExitCode {
    /** Done. */
    public static final int OK = 0;
    /** A run, try-out or build failed. */
    public static final int FAILED = 1;
    /** Wrong arguments, or the project file or its scripts' files are invalid (also a 400 from the server). */
    public static final int USAGE = 2;
    /** Not logged in, the token was refused (401), or not allowed (403: a protected environment). */
    public static final int AUTH = 3;
    /** Not found: a script, run, secret or environment (404). */
    public static final int NOT_FOUND = 4;
    /** The server failed (5xx), could not be reached, or answered something unexpected. */
    public static final int SERVER = 5;

    private ExitCode() {}
}

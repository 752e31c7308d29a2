package dev.cronhook.cli;

import java.io.PrintStream;

/** One invocation's terminal and, on first use, its credentials and API client. */
final class Session {
    private final Terminal terminal;
    private final boolean json;
    private ApiClient client;
    private java.io.BufferedReader input;

    Session(Terminal terminal, boolean json) {
        this.terminal = terminal;
        this.json = json;
    }

    Terminal terminal() {
        return terminal;
    }

    PrintStream out() {
        return terminal.out();
    }

    PrintStream err() {
        return terminal.err();
    }

    /** Whether the user asked for machine output. */
    boolean json() {
        return json;
    }

    Credentials credentials() {
        return Credentials.effective(terminal.env());
    }

    /** The API client for the logged-in user; an authentication error when there is no token. */
    ApiClient client() {
        if (client == null) client = ApiClient.authenticated(credentials());
        return client;
    }

    /** Prints a JSON value on stdout, pretty. */
    void printJson(Object value) {
        out().println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }

    /** One line of standard input, without its line end; null at its end. */
    String readLine() {
        try {
            if (input == null) {
                input = new java.io.BufferedReader(
                        new java.io.InputStreamReader(terminal.in(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return input.readLine();
        } catch (java.io.IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot read standard input: " + e.getMessage());
        }
    }

    /** All of standard input, less one final line end. */
    String readAll() {
        try {
            String all = input != null
                    ? input.lines().collect(java.util.stream.Collectors.joining("\n"))
                    : new String(terminal.in().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (all.endsWith("\r\n")) return all.substring(0, all.length() - 2);
            if (all.endsWith("\n")) return all.substring(0, all.length() - 1);
            return all;
        } catch (java.io.IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot read standard input: " + e.getMessage());
        }
    }

    /** A warning on stderr. */
    void warn(String message) {
        err().println("warning: " + message);
    }
}

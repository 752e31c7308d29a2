package dev.cronhook.cli;

import java.util.Set;

/** One CLI command: its name, its help and what it does with its parsed arguments. */
interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** The whole help text: usage, options, examples. */
    String help();

    /** The options that take a value ({@code --env dev}). */
    default Set<String> valued() {
        return Set.of();
    }

    /** The options that are flags ({@code --follow}); {@code --help} and {@code --json} are always known. */
    default Set<String> flags() {
        return Set.of();
    }

    /** Does the work; returns the exit code, or throws a {@link CliException}. */
    int run(Args args, Session session);
}

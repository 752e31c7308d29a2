package dev.cronhook.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code cronhook} command line: deploys a project of scripts to a Cronhook platform and works with its runs,
 * logs, secrets and environments over the REST API. No Spring on this path: it starts in a fraction of a second.
 */
public final class Cli {
    static final String VERSION = versionOf();

    private final Map<String, Command> commands = new LinkedHashMap<>();

    Cli() {
        for (Command c : List.of(
                new AuthCommands.Login(),
                new AuthCommands.Logout(),
                new InitCommand(),
                new TryCommand(),
                new DeployCommand(),
                new DeployCommand.Import(),
                new ExportCommand(),
                new RunCommands.Runs(),
                new RunCommands.Logs(),
                new SecretsCommand(),
                new EnvCommand(),
                new EnvCommand.Promote())) {
            commands.put(c.name(), c);
        }
    }

    /** The command names the launcher hands to the CLI rather than starting the platform. */
    public static final List<String> COMMANDS = List.of(
            "login", "logout", "init", "try", "deploy", "logs", "runs", "secrets", "env", "export", "import", "promote",
            "help", "version");

    public static void main(String[] args) {
        int code = run(args, Terminal.ofProcess());
        System.out.flush();
        System.exit(code);
    }

    /** Runs one invocation on the terminal given and returns its exit code; never exits the JVM. */
    public static int run(String[] args, Terminal terminal) {
        return new Cli().dispatch(Arrays.asList(args), terminal);
    }

    private int dispatch(List<String> args, Terminal terminal) {
        boolean json = args.contains("--json");
        var session = new Session(terminal, json);
        try {
            if (args.isEmpty()
                    || args.getFirst().equals("help")
                    || args.getFirst().equals("--help")
                    || args.getFirst().equals("-h")) {
                if (args.size() > 1 && commands.containsKey(args.get(1))) {
                    terminal.out().print(commands.get(args.get(1)).help());
                } else {
                    terminal.out().print(overview());
                }
                return args.isEmpty() ? ExitCode.USAGE : ExitCode.OK;
            }
            if (args.getFirst().equals("version") || args.getFirst().equals("--version")) {
                terminal.out().println("cronhook " + VERSION);
                return ExitCode.OK;
            }
            var command = commands.get(args.getFirst());
            if (command == null)
                throw CliException.usage("unknown command " + args.getFirst() + " (cronhook help lists them)");
            var rest = new ArrayList<>(args.subList(1, args.size()));
            if (rest.contains("--help") || rest.contains("-h")) {
                terminal.out().print(command.help());
                return ExitCode.OK;
            }
            var parsed = Args.parse(command.name(), rest, command.valued(), command.flags());
            return command.run(parsed, session);
        } catch (CliException e) {
            terminal.err().println("error: " + e.getMessage());
            for (String d : e.details()) terminal.err().println("  " + d);
            return e.exitCode();
        } catch (RuntimeException e) {
            terminal.err().println("error: " + e);
            return ExitCode.SERVER;
        } finally {
            terminal.out().flush();
            terminal.err().flush();
        }
    }

    private String overview() {
        var sb = new StringBuilder();
        sb.append("cronhook ").append(VERSION).append(": deploy and run Cronhook scripts from files\n\n");
        sb.append("Usage: cronhook <command> [options]   (cronhook <command> --help for one command)\n\nCommands:\n");
        for (var c : commands.values()) sb.append(String.format("  %-9s %s%n", c.name(), c.summary()));
        sb.append("""

                Every command takes --help; those that print scripts, runs or results take --json.
                The platform and token come from cronhook login, or CRONHOOK_URL and CRONHOOK_TOKEN.

                Exit codes: 0 ok, 1 a run, try-out or build failed, 2 usage or invalid project file,
                3 not logged in / token refused / protected environment, 4 not found (script, run,
                environment), 5 server error or unreachable.
                """);
        return sb.toString();
    }

    private static String versionOf() {
        String v = Cli.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}

package dev.cronhook.cli;

import java.util.Map;
import java.util.Set;

/** {@code secrets set|list|rm}: an environment's secrets; values go in, never come out. */
final class SecretsCommand implements Command {
    @Override
    public String name() {
        return "secrets";
    }

    @Override
    public String summary() {
        return "set, list or remove the secrets of an environment (values are never shown)";
    }

    @Override
    public Set<String> valued() {
        return Set.of("env");
    }

    @Override
    public String help() {
        return """
                Usage: cronhook secrets set NAME [VALUE] [--env E]
                       cronhook secrets list [--env E] [--json]
                       cronhook secrets rm NAME [--env E]

                The secrets of the environment E (default dev), given to its scripts' runs as
                environment variables. set reads the value from stdin when VALUE is not given
                (better: a value on the command line ends up in the shell's history and in ps):
                  printf %s "$TOKEN" | cronhook secrets set API_TOKEN --env prod
                list shows names and dates only: the platform never returns a value.
                """;
    }

    @Override
    public int run(Args args, Session session) {
        var pos = args.positionals(name(), 1, 3);
        String env = DeployCommand.environment(args);
        String q = "?environment=" + ApiClient.encode(env);
        var client = session.client();
        switch (pos.getFirst()) {
            case "set" -> {
                if (pos.size() < 2) throw CliException.usage("secrets set needs a NAME");
                String name = secretName(pos.get(1));
                String value = pos.size() == 3 ? pos.get(2) : session.readAll();
                if (value.isEmpty()) throw CliException.usage("no value given (as an argument or on stdin)");
                client.put("/api/secrets/" + ApiClient.encode(name) + q, Map.of("value", value));
                session.out().println("Secret " + name + " set in " + env + ".");
            }
            case "list", "ls" -> {
                if (pos.size() > 1) throw CliException.usage("secrets list takes no argument");
                var list = client.get("/api/secrets" + q);
                if (session.json()) session.printJson(list);
                else if (list.isEmpty()) session.out().println("No secrets in " + env + ".");
                else for (var s : list) session.out().println(s.path("name").asString());
            }
            case "rm", "remove", "delete" -> {
                if (pos.size() != 2) throw CliException.usage("secrets rm needs exactly one NAME");
                String name = secretName(pos.get(1));
                client.delete("/api/secrets/" + ApiClient.encode(name) + q);
                session.out().println("Secret " + name + " removed from " + env + ".");
            }
            default -> throw CliException.usage("unknown secrets command " + pos.getFirst() + " (set, list or rm)");
        }
        return ExitCode.OK;
    }

    private static String secretName(String name) {
        if (!ProjectFile.SECRET_NAME.matcher(name).matches()) {
            throw CliException.usage(
                    name + " is not a secret name (letters, digits and '_', not starting with a digit)");
        }
        return name;
    }
}

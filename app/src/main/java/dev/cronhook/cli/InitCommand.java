package dev.cronhook.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** {@code init}: a new project with one script, ready to {@code try} and {@code deploy}. */
final class InitCommand implements Command {
    static final String PROJECT = """
            # A Cronhook project: cronhook deploy creates or updates every script below.
            # Every field is described in the README of Cronhook, section "The project file".
            scripts:
              - name: %s
                # dir: %s              # the directory of its files (default: the name)
                # language: node        # or python (entry main.py, requirements.txt)
                # dependencies: { lodash: "^4.17.21" }   # or a package.json in the directory
                webhook: true
                # cron: { expression: "0 9 * * 1-5", timezone: Europe/Berlin }
                timeoutSeconds: 30
                memoryMb: 128
                # egress: { allow: [api.github.com] }
                # alerts: { consecutiveFailures: 3 }
                # secrets: [API_KEY]    # names only: cronhook secrets set API_KEY
            """;

    static final String INDEX = """
            // Called with the event (a webhook call's body, headers and query, or a cron tick) and a context.
            export default async function (event, ctx) {
              console.log("called with", JSON.stringify(event.body ?? null));
              return { hello: event.body?.name ?? "world" };
            }
            """;

    @Override
    public String name() {
        return "init";
    }

    @Override
    public String summary() {
        return "scaffold a project: cronhook.yaml and one script";
    }

    @Override
    public Set<String> valued() {
        return Set.of("name");
    }

    @Override
    public String help() {
        return """
                Usage: cronhook init [DIR] [--name SCRIPT]

                Creates DIR (default: the current directory) with a cronhook.yaml declaring one
                script, SCRIPT (default: hello), and SCRIPT/index.mjs. Refuses to overwrite an
                existing project file. Then: cronhook try SCRIPT --event '{"body":{}}'
                and cronhook deploy.
                """;
    }

    @Override
    public int run(Args args, Session session) {
        var pos = args.positionals(name(), 0, 1);
        Path dir = session.terminal().resolve(pos.isEmpty() ? "." : pos.getFirst());
        String script = args.option("name", "hello");
        if (!ProjectFile.SCRIPT_NAME.matcher(script).matches()) {
            throw CliException.usage(
                    "--name: letters, digits, spaces, '.', '_' and '-', starting with a letter or digit");
        }
        for (String n : ProjectFile.NAMES) {
            if (Files.exists(dir.resolve(n))) throw CliException.usage(dir.resolve(n) + " exists already");
        }
        Path scriptDir = dir.resolve(script);
        Path index = scriptDir.resolve("index.mjs");
        if (Files.exists(index)) throw CliException.usage(index + " exists already");
        try {
            Files.createDirectories(scriptDir);
            Files.writeString(dir.resolve("cronhook.yaml"), PROJECT.formatted(script, script));
            Files.writeString(index, INDEX);
            if (!Files.exists(dir.resolve(".cronhookignore"))) {
                Files.writeString(
                        dir.resolve(".cronhookignore"),
                        "# files cronhook deploy leaves out, one glob a line\n*.test.mjs\n");
            }
        } catch (IOException e) {
            throw CliException.usage("cannot write in " + dir + ": " + e.getMessage());
        }
        session.out().println("Created " + dir.resolve("cronhook.yaml") + " and " + index);
        return ExitCode.OK;
    }
}

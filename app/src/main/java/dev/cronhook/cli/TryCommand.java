package dev.cronhook.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code try}: runs local files once on the platform's try-out worker, with the logs as they come. */
final class TryCommand implements Command {
    @Override
    public String name() {
        return "try";
    }

    @Override
    public String summary() {
        return "run local files once (a try-out), logs streamed, result printed";
    }

    @Override
    public Set<String> valued() {
        return Set.of("event", "event-file");
    }

    @Override
    public String help() {
        return """
                Usage: cronhook try FILE|DIR|SCRIPT [--event JSON | --event-file FILE] [--json]

                Runs unsaved code once on the platform, in a sandbox, with the event given
                (default {}), and prints the result on stdout; the dependency install and the
                script's log lines go to stderr as they happen. The code is
                  - DIR: a script directory (index.mjs or main.py with the files beside it);
                  - FILE: that one file as the entry (.py for Python);
                  - SCRIPT: a script of the cronhook.yaml in the current directory, by name.
                Dependencies come from the project file, a package.json or requirements.txt.
                --json prints the whole answer (status, result, logs, timings) as JSON.
                Exit code 1 when the script failed or timed out.

                Example: cronhook try hello --event '{"body":{"name":"Ada"}}'
                """;
    }

    @Override
    public int run(Args args, Session session) {
        String target = args.positionals(name(), 1, 1).getFirst();
        JsonNode event = event(args, session);
        var body = body(target, session.terminal());
        body.set("event", event);
        var client = session.client();
        var answer = new JsonNode[1];
        client.events("POST", "/api/try-out", body, e -> {
            switch (e.name()) {
                case "install" -> {
                    if (!session.json())
                        session.err()
                                .println("[install] " + e.data().path("text").asString(""));
                }
                case "log" -> {
                    if (!session.json())
                        session.err().println(e.data().path("text").asString(""));
                }
                case "started" -> {
                    int attempt = e.data().path("attempt").asInt(1);
                    if (attempt > 1) session.warn("running again (attempt " + attempt + "): a try-out worker stopped");
                }
                case "result" -> {
                    answer[0] = e.data();
                    return false;
                }
                case "error" ->
                    throw ApiClient.failure(
                            "POST",
                            "/api/try-out",
                            e.data().path("status").asInt(500),
                            e.data().toString());
                default -> {}
            }
            return true;
        });
        if (answer[0] == null) throw new CliException(ExitCode.SERVER, "the try-out ended without a result");
        var a = answer[0];
        String status = a.path("status").asString("");
        if (session.json()) {
            session.printJson(a);
        } else if (a.hasNonNull("reply")) {
            session.out()
                    .println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(a.get("reply")));
        } else if (a.has("result")) {
            session.out()
                    .println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(a.get("result")));
        }
        if (!status.equals("SUCCEEDED")) {
            session.err()
                    .println("error: the try-out "
                            + status.toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                            + (a.hasNonNull("error") ? ": " + a.get("error").asString() : ""));
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }

    private static JsonNode event(Args args, Session session) {
        String text = args.option("event", null);
        if (args.has("event-file")) {
            if (text != null) throw CliException.usage("give --event or --event-file, not both");
            try {
                text = Files.readString(session.terminal().resolve(args.option("event-file", "")));
            } catch (IOException e) {
                throw CliException.usage("cannot read --event-file: " + e.getMessage());
            }
        }
        if (text == null) return ApiClient.JSON.createObjectNode();
        try {
            var node = ApiClient.JSON.readTree(text);
            if (node == null || !node.isObject()) throw CliException.usage("--event must be a JSON object");
            return node;
        } catch (JacksonException e) {
            throw CliException.usage("--event is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The try-out body for a file, a script directory or a project's script. */
    static ObjectNode body(String target, Terminal terminal) {
        Path path = terminal.resolve(target);
        ProjectFile.ScriptSpec spec = null;
        Path projectDir = terminal.cwd();
        if (!Files.exists(path)) {
            spec = projectScript(terminal.cwd(), target);
            if (spec == null) {
                throw CliException.usage("no file, directory or project script named " + target);
            }
            path = projectDir.resolve(spec.dir()).normalize();
        } else if (Files.isDirectory(path)) {
            spec = projectScriptIn(terminal.cwd(), path);
        }
        var body = ApiClient.JSON.createObjectNode();
        if (Files.isDirectory(path)) {
            String language = spec != null
                    ? spec.language()
                    : Files.exists(path.resolve("main.py")) && !Files.exists(path.resolve("index.mjs"))
                            ? "python"
                            : "node";
            String name = spec != null ? spec.name() : path.getFileName().toString();
            var files = ScriptFiles.read(spec != null ? projectDir : path, path, name, language);
            DeployCommand.sourceFields(body, language, files, spec != null ? spec.dependencies() : null, name);
            body.put("language", language);
            if (spec != null && spec.settings().has("egress"))
                body.set("egress", spec.settings().get("egress"));
        } else {
            String language = path.toString().endsWith(".py") ? "python" : "node";
            String code;
            try {
                code = Files.readString(path);
            } catch (IOException e) {
                throw CliException.usage("cannot read " + path + ": " + e.getMessage());
            }
            body.put("code", code);
            body.put("language", language);
            Path pkg = path.resolveSibling("package.json");
            if (language.equals("node") && Files.isRegularFile(pkg)) {
                var problems = new ArrayList<String>();
                Map<String, String> deps;
                try {
                    deps = ScriptFiles.packageDependencies(Files.readString(pkg), problems);
                } catch (IOException e) {
                    throw CliException.usage("cannot read " + pkg + ": " + e.getMessage());
                }
                if (!problems.isEmpty()) throw new CliException(ExitCode.USAGE, pkg + " is invalid", problems);
                body.set("dependencies", ApiClient.JSON.valueToTree(new LinkedHashMap<>(deps)));
            }
        }
        // a try-out takes requirements as a map, not as requirements.txt text
        if (body.has("requirementsTxt")) {
            body.set(
                    "requirements",
                    ApiClient.JSON.valueToTree(
                            requirements(body.remove("requirementsTxt").asString())));
        }
        return body;
    }

    private static ProjectFile.ScriptSpec projectScript(Path dir, String name) {
        var project = projectIn(dir);
        if (project == null) return null;
        return project.scripts().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElse(null);
    }

    private static ProjectFile.ScriptSpec projectScriptIn(Path projectDir, Path scriptDir) {
        var project = projectIn(projectDir);
        if (project == null) return null;
        return project.scripts().stream()
                .filter(s -> projectDir.resolve(s.dir()).normalize().equals(scriptDir))
                .findFirst()
                .orElse(null);
    }

    private static ProjectFile projectIn(Path dir) {
        for (String n : ProjectFile.NAMES) {
            if (Files.isRegularFile(dir.resolve(n))) return ProjectFile.load(dir.resolve(n));
        }
        return null;
    }

    /** The {@code name specifier} lines of a requirements.txt as a map. */
    static Map<String, String> requirements(String text) {
        var out = new LinkedHashMap<String, String>();
        for (String line : text.split("\\R")) {
            String l = line.replaceFirst("#.*", "").strip();
            if (l.isEmpty()) continue;
            var m = java.util.regex.Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)\\s*(.*)")
                    .matcher(l);
            if (!m.matches()) throw CliException.usage("requirements.txt: cannot read the line " + line);
            out.put(m.group(1), m.group(2).strip());
        }
        return out;
    }
}

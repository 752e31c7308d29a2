package dev.cronhook.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** {@code export}: writes an environment's scripts as a project: cronhook.yaml and each script's files. */
final class ExportCommand implements Command {
    static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .enable(YAMLWriteFeature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "write an environment's scripts as a project directory";
    }

    @Override
    public Set<String> valued() {
        return Set.of("env");
    }

    @Override
    public Set<String> flags() {
        return Set.of("force");
    }

    @Override
    public String help() {
        return """
                Usage: cronhook export DIR [--env E] [--force]

                Writes the scripts of the environment E (default dev) into DIR as a project that
                cronhook deploy or import takes again: DIR/cronhook.yaml with every script's
                settings (triggers, limits, retries, egress, alert rules, dependencies) and one
                directory per script with the files of its latest version. Secret values are never
                exported: the names of E's secrets and of each script's own are listed, so that
                import can warn about the ones to set. --force overwrites an existing project file.
                """;
    }

    @Override
    public int run(Args args, Session session) {
        Path dir = session.terminal().resolve(args.positionals(name(), 1, 1).getFirst());
        String env = DeployCommand.environment(args);
        for (String n : ProjectFile.NAMES) {
            if (Files.exists(dir.resolve(n)) && !args.flag("force")) {
                throw CliException.usage(dir.resolve(n) + " exists already (--force overwrites it)");
            }
        }
        var client = session.client();
        var project = YAML.createObjectNode();
        var secretNames = project.putArray("secrets");
        for (var s : client.get("/api/secrets?environment=" + ApiClient.encode(env))) {
            secretNames.add(s.path("name").asString());
        }
        if (secretNames.isEmpty()) project.remove("secrets");
        var scripts = project.putArray("scripts");
        int count = 0;
        for (var listed : client.get("/api/scripts?environment=" + ApiClient.encode(env))) {
            if (listed.has("environment")
                    && !listed.get("environment").asString().equals(env)) continue;
            String id = listed.path("id").asString();
            var view = client.get("/api/scripts/" + id);
            String name = view.path("name").asString();
            String language = view.path("language").asString("node");
            scripts.add(entry(
                    view,
                    language,
                    client.get("/api/scripts/" + id + "/alerts"),
                    client.get("/api/scripts/" + id + "/secrets")));
            writeFiles(dir.resolve(name), files(view, language));
            count++;
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve("cronhook.yaml"),
                    "# Exported from " + client.base() + " (environment " + env
                            + ") by cronhook export. Secret values are never exported.\n"
                            + YAML.writeValueAsString(project));
        } catch (IOException e) {
            throw CliException.usage("cannot write " + dir + ": " + e.getMessage());
        }
        session.out().println("Exported " + count + " script" + (count == 1 ? "" : "s") + " of " + env + " to " + dir);
        return ExitCode.OK;
    }

    /** The project file's entry for a script view. */
    static ObjectNode entry(JsonNode view, String language, JsonNode alerts, JsonNode scriptSecrets) {
        var e = YAML.createObjectNode();
        e.put("name", view.path("name").asString());
        e.put("language", language);
        if (view.path("dependencies").isObject() && !view.get("dependencies").isEmpty()) {
            e.set("dependencies", new TreeMapNode(view.get("dependencies")).sorted());
        }
        e.put("webhook", view.path("webhook").asBoolean(true));
        var cron = view.path("cron");
        if (cron.isObject()) {
            var c = e.putObject("cron");
            for (String f : new String[] {"expression", "timezone", "overlapPolicy", "catchUpPolicy"}) {
                if (cron.hasNonNull(f)) c.put(f, cron.get(f).asString());
            }
        }
        e.put("timeoutSeconds", view.path("timeoutSeconds").asInt());
        e.put("memoryMb", view.path("memoryMb").asInt());
        if (view.path("maxConcurrency").isInt())
            e.put("maxConcurrency", view.get("maxConcurrency").asInt());
        if (view.path("retry").isObject()) e.set("retry", view.get("retry"));
        var allow = view.path("egress").path("allow");
        if (allow.isArray() && !allow.isEmpty()) e.putObject("egress").set("allow", allow);
        if (alerts != null && alerts.isObject()) {
            var a = alerts.deepCopy();
            if (a instanceof ObjectNode o) {
                // an API answer's fields that are not rules, should there be any
                o.retain(
                        "failed",
                        "consecutiveFailures",
                        "recovered",
                        "missedTick",
                        "lateTickSeconds",
                        "overlapSkip",
                        "buildFailed",
                        "secretsUnavailable",
                        "pauseAfterConsecutiveFailures",
                        "channels");
                // absent means never; in a PUT body absent means the default, so never is spelled 0
                if (!o.has("lateTickSeconds")) o.put("lateTickSeconds", 0);
                e.set("alerts", o);
            }
        }
        if (scriptSecrets != null && scriptSecrets.isArray() && !scriptSecrets.isEmpty()) {
            var s = e.putArray("secrets");
            for (var secret : scriptSecrets) s.add(secret.path("name").asString());
        }
        return e;
    }

    /** Every file of the view's latest version: {@code files}, or the one-file {@code code}. */
    static TreeMap<String, String> files(JsonNode view, String language) {
        var out = new TreeMap<String, String>();
        if (view.path("files").isObject()) {
            for (var f : view.get("files").properties())
                out.put(f.getKey(), f.getValue().asString());
        }
        if (out.isEmpty())
            out.put(ScriptFiles.entry(language), view.path("code").asString(""));
        return out;
    }

    private static void writeFiles(Path scriptDir, TreeMap<String, String> files) {
        try {
            for (var f : files.entrySet()) {
                Path p = scriptDir.resolve(f.getKey()).normalize();
                if (!p.startsWith(scriptDir))
                    throw new CliException(
                            ExitCode.SERVER, "the server named a file outside its" + " script: " + f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
        } catch (IOException e) {
            throw CliException.usage("cannot write " + scriptDir + ": " + e.getMessage());
        }
    }

    /** A JSON object with its fields sorted by name. */
    private record TreeMapNode(JsonNode node) {
        ObjectNode sorted() {
            var out = YAML.createObjectNode();
            var names = new java.util.TreeSet<String>(node.propertyNames());
            for (String n : names) out.set(n, node.get(n));
            return out;
        }
    }
}

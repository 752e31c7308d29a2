package dev.cronhook.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A project file ({@code cronhook.yaml}, {@code cronhook.yml} or {@code cronhook.json}): the scripts of a project and
 * the secret names they need. Parsing checks every field and reports each problem with its line and path.
 */
public record ProjectFile(List<ScriptSpec> scripts, List<String> secrets) {
    public static final List<String> NAMES = List.of("cronhook.yaml", "cronhook.yml", "cronhook.json");
    static final Pattern SCRIPT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");
    static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    static final int MAX_SCRIPTS = 200;

    private static final Set<String> TOP = Set.of("scripts", "secrets");
    private static final Set<String> SCRIPT = Set.of(
            "name",
            "dir",
            "language",
            "dependencies",
            "webhook",
            "cron",
            "timeoutSeconds",
            "memoryMb",
            "maxConcurrency",
            "retry",
            "egress",
            "alerts",
            "secrets");
    private static final Set<String> CRON = Set.of("expression", "timezone", "overlapPolicy", "catchUpPolicy");
    private static final Map<String, String> RETRY =
            Map.of("maxAttempts", "int", "initialDelaySeconds", "int", "factor", "number");
    private static final Map<String, String> ALERTS = Map.ofEntries(
            Map.entry("failed", "boolean"),
            Map.entry("consecutiveFailures", "int"),
            Map.entry("recovered", "boolean"),
            Map.entry("missedTick", "boolean"),
            Map.entry("lateTickSeconds", "int"),
            Map.entry("overlapSkip", "boolean"),
            Map.entry("buildFailed", "boolean"),
            Map.entry("secretsUnavailable", "boolean"),
            Map.entry("pauseAfterConsecutiveFailures", "int"),
            Map.entry("channels", "strings"));

    /**
     * One script of the project. {@code settings} holds the fields that go into the API's script body as they are
     * (webhook, cron, timeoutSeconds, memoryMb, maxConcurrency, retry, egress); {@code dependencies} is null when the
     * file gives none (then a {@code package.json} or {@code requirements.txt} in the directory may); {@code alerts}
     * is null when the file gives none.
     */
    public record ScriptSpec(
            String name,
            String dir,
            String language,
            Map<String, String> dependencies,
            ObjectNode settings,
            ObjectNode alerts,
            List<String> secrets) {}

    /** The project file in {@code dir}, read and checked; a usage error when there is none or it is invalid. */
    public static Path find(Path dir) {
        for (String name : NAMES) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new CliException(ExitCode.USAGE, "no cronhook.yaml in " + dir + " (cronhook init makes one)");
    }

    public static ProjectFile load(Path file) {
        try {
            return parse(Files.readString(file), file.getFileName().toString());
        } catch (java.nio.charset.MalformedInputException e) {
            throw new CliException(ExitCode.USAGE, file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Parses and checks a project file's text; {@code fileName} decides JSON or YAML and names it in errors. */
    public static ProjectFile parse(String text, String fileName) {
        var lines = new HashMap<String, Integer>();
        JsonNode root;
        var mapper = fileName.endsWith(".json")
                ? JsonMapper.builder().build()
                : YAMLMapper.builder().build();
        try (JsonParser p = mapper.createParser(text)) {
            if (p.nextToken() == null) throw invalid(fileName, List.of(fileName + ": is empty"));
            root = read(p, "", lines, fileName);
            if (p.nextToken() != null) {
                throw invalid(
                        fileName,
                        List.of(at(fileName, p.currentTokenLocation().getLineNr()) + "more than one document"));
            }
        } catch (JacksonException e) {
            var loc = e.getLocation();
            int line = loc != null ? loc.getLineNr() : -1;
            String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            // SnakeYAML names the line of the context first and the line of the problem last
            var lineNumbers = Pattern.compile("line (\\d+),").matcher(message);
            while (lineNumbers.find()) line = Integer.parseInt(lineNumbers.group(1));
            String where = line > 0 ? at(fileName, line) : fileName + ": ";
            throw invalid(
                    fileName,
                    List.of(where + "not valid " + (fileName.endsWith(".json") ? "JSON" : "YAML") + ": "
                            + condensed(message)));
        }
        return new Checker(fileName, lines).project(root);
    }

    /** A parser's message without its excerpts of the file and their markers: the lines that say what is wrong. */
    private static String condensed(String message) {
        return String.join(
                "; ",
                message.lines()
                        .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                        .toList());
    }

    static String at(String fileName, int line) {
        return fileName + ":" + line + ": ";
    }

    static CliException invalid(String fileName, List<String> problems) {
        return new CliException(ExitCode.USAGE, fileName + " is invalid", problems);
    }

    /** Reads one value into a tree, noting the line of every path ({@code scripts[0].cron.expression}). */
    private static JsonNode read(JsonParser p, String path, Map<String, Integer> lines, String fileName) {
        var f = JsonNodeFactory.instance;
        lines.putIfAbsent(path, p.currentTokenLocation().getLineNr());
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                var o = f.objectNode();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    String child = path.isEmpty() ? name : path + "." + name;
                    int line = p.currentTokenLocation().getLineNr();
                    if (o.has(name)) throw invalid(fileName, List.of(at(fileName, line) + child + ": given twice"));
                    lines.put(child, line);
                    p.nextToken();
                    o.set(name, read(p, child, lines, fileName));
                }
                return o;
            }
            case START_ARRAY -> {
                var a = f.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY)
                    a.add(read(p, path + "[" + a.size() + "]", lines, fileName));
                return a;
            }
            case VALUE_STRING -> {
                return f.stringNode(p.getString());
            }
            case VALUE_NUMBER_INT -> {
                Number n = p.getNumberValue();
                return n instanceof Integer i ? f.numberNode(i) : f.numberNode(n.longValue());
            }
            case VALUE_NUMBER_FLOAT -> {
                return f.numberNode(p.getValueAsDouble());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return f.booleanNode(t == JsonToken.VALUE_TRUE);
            }
            case VALUE_NULL -> {
                return f.nullNode();
            }
            default ->
                throw invalid(
                        fileName, List.of(at(fileName, p.currentTokenLocation().getLineNr()) + "unexpected " + t));
        }
    }

    /** Checks a parsed tree field by field, collecting every problem before giving up. */
    private static final class Checker {
        private final String fileName;
        private final Map<String, Integer> lines;
        private final List<String> problems = new ArrayList<>();

        Checker(String fileName, Map<String, Integer> lines) {
            this.fileName = fileName;
            this.lines = lines;
        }

        private void problem(String path, String message) {
            Integer line = lines.get(path);
            problems.add((line != null ? at(fileName, line) : fileName + ": ") + path + ": " + message);
        }

        /** The problems in the order of their lines (those of the whole file first). */
        private List<String> sorted() {
            var byLine = java.util.Comparator.comparingInt((String p) -> {
                var m = Pattern.compile("^[^:]*:(\\d+): ").matcher(p);
                return m.find() ? Integer.parseInt(m.group(1)) : 0;
            });
            return problems.stream().sorted(byLine).toList();
        }

        ProjectFile project(JsonNode root) {
            if (!root.isObject()) {
                problem("", "must be a mapping with a scripts list");
                throw invalid(fileName, sorted());
            }
            unknown(root, "", TOP);
            var scripts = new ArrayList<ScriptSpec>();
            JsonNode list = root.get("scripts");
            if (list == null || list.isNull()) problems.add(fileName + ": scripts: is required (a list of scripts)");
            else if (!list.isArray()) problem("scripts", "must be a list of scripts");
            else if (list.isEmpty()) problem("scripts", "must list at least one script");
            else if (list.size() > MAX_SCRIPTS) problem("scripts", "must list at most " + MAX_SCRIPTS + " scripts");
            else {
                var names = new HashSet<String>();
                var dirs = new HashMap<String, String>();
                for (int i = 0; i < list.size(); i++) {
                    var s = script(list.get(i), "scripts[" + i + "]");
                    if (s == null) continue;
                    if (!names.add(s.name().toLowerCase(java.util.Locale.ROOT))) {
                        problem("scripts[" + i + "].name", "another script is named " + s.name());
                    }
                    String other = dirs.putIfAbsent(s.dir(), s.name());
                    if (other != null) problem("scripts[" + i + "].dir", "is also the directory of " + other);
                    scripts.add(s);
                }
            }
            var secrets = names(root.get("secrets"), "secrets");
            if (!problems.isEmpty()) throw invalid(fileName, sorted());
            return new ProjectFile(List.copyOf(scripts), secrets);
        }

        private ScriptSpec script(JsonNode s, String path) {
            if (!s.isObject()) {
                problem(path, "must be a mapping with at least a name");
                return null;
            }
            int before = problems.size();
            unknown(s, path, SCRIPT);
            String name = string(s, path, "name");
            if (name == null) {
                if (!s.has("name")) problem(path, "name: is required");
            } else if (!SCRIPT_NAME.matcher(name).matches()) {
                problem(
                        path + ".name",
                        "may contain letters, digits, spaces, '.', '_' and '-', starting with a letter or"
                                + " digit, at most 100 characters");
            }
            String dir = string(s, path, "dir");
            if (dir == null) dir = name;
            else if (dir.isBlank()
                    || Path.of(dir).isAbsolute()
                    || Path.of(dir).normalize().startsWith("..")) {
                problem(path + ".dir", "must be a directory inside the project");
            }
            String language = string(s, path, "language");
            if (language == null) language = "node";
            else if (!language.equals("node") && !language.equals("python")) {
                problem(path + ".language", "must be node or python");
            }
            Map<String, String> dependencies = null;
            JsonNode deps = s.get("dependencies");
            if (deps != null && !deps.isNull()) {
                if (!deps.isObject()) problem(path + ".dependencies", "must map package names to versions");
                else {
                    dependencies = new LinkedHashMap<>();
                    for (var e : deps.properties()) {
                        if (!e.getValue().isString()) {
                            problem(path + ".dependencies." + e.getKey(), "must be a version (a string)");
                        } else dependencies.put(e.getKey(), e.getValue().asString());
                    }
                }
            }
            var settings = JsonNodeFactory.instance.objectNode();
            JsonNode webhook = s.get("webhook");
            if (webhook != null && !webhook.isNull()) {
                if (!webhook.isBoolean()) problem(path + ".webhook", "must be true or false");
                else settings.set("webhook", webhook);
            }
            JsonNode cron = s.get("cron");
            if (cron != null && !cron.isNull()) {
                if (cron.isString())
                    settings.set("cron", JsonNodeFactory.instance.objectNode().put("expression", cron.asString()));
                else if (!cron.isObject())
                    problem(path + ".cron", "must be an expression or a mapping with an expression");
                else {
                    unknown(cron, path + ".cron", CRON);
                    var c = JsonNodeFactory.instance.objectNode();
                    for (String f : List.of("expression", "timezone", "overlapPolicy", "catchUpPolicy")) {
                        String v = string(cron, path + ".cron", f);
                        if (v != null) c.put(f, v);
                    }
                    if (!cron.has("expression")) problem(path + ".cron", "expression: is required");
                    settings.set("cron", c);
                }
            }
            for (String f : List.of("timeoutSeconds", "memoryMb", "maxConcurrency")) {
                Integer v = positiveInt(s, path, f);
                if (v != null) settings.put(f, v);
            }
            var retry = typed(s.get("retry"), path + ".retry", RETRY);
            if (retry != null) settings.set("retry", retry);
            JsonNode egress = s.get("egress");
            if (egress != null && !egress.isNull()) {
                if (!egress.isObject()) problem(path + ".egress", "must be a mapping with an allow list");
                else {
                    unknown(egress, path + ".egress", Set.of("allow"));
                    var allow = strings(egress.get("allow"), path + ".egress.allow");
                    var e = JsonNodeFactory.instance.objectNode();
                    e.set(
                            "allow",
                            JsonNodeFactory.instance
                                    .arrayNode()
                                    .addAll(allow.stream()
                                            .map(JsonNodeFactory.instance::stringNode)
                                            .toList()));
                    settings.set("egress", e);
                }
            }
            var alerts = typed(s.get("alerts"), path + ".alerts", ALERTS);
            var secrets = names(s.get("secrets"), path + ".secrets");
            if (problems.size() > before || name == null) return null;
            return new ScriptSpec(name, dir, language, dependencies, settings, alerts, secrets);
        }

        private void unknown(JsonNode o, String path, Set<String> known) {
            for (String f : o.propertyNames()) {
                if (!known.contains(f)) {
                    problem(
                            path.isEmpty() ? f : path + "." + f,
                            "unknown field (known: "
                                    + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }

        private String string(JsonNode o, String path, String field) {
            JsonNode v = o.get(field);
            if (v == null || v.isNull()) return null;
            if (!v.isString()) {
                problem(path + "." + field, "must be a string");
                return null;
            }
            return v.asString();
        }

        private Integer positiveInt(JsonNode o, String path, String field) {
            JsonNode v = o.get(field);
            if (v == null || v.isNull()) return null;
            if (!v.isInt() || v.asInt() < 1) {
                problem(path + "." + field, "must be a whole number, 1 or more");
                return null;
            }
            return v.asInt();
        }

        /** A mapping whose fields have the types given; null when absent or invalid. */
        private ObjectNode typed(JsonNode o, String path, Map<String, String> types) {
            if (o == null || o.isNull()) return null;
            if (!o.isObject()) {
                problem(path, "must be a mapping");
                return null;
            }
            unknown(o, path, types.keySet());
            var out = JsonNodeFactory.instance.objectNode();
            for (var e : o.properties()) {
                String type = types.get(e.getKey());
                if (type == null) continue;
                JsonNode v = e.getValue();
                boolean ok =
                        switch (type) {
                            case "boolean" -> v.isBoolean();
                            case "int" -> v.isInt() || v.isNull();
                            case "number" -> v.isNumber();
                            case "strings" -> {
                                strings(v, path + "." + e.getKey());
                                yield true;
                            }
                            default -> false;
                        };
                if (!ok) {
                    problem(
                            path + "." + e.getKey(),
                            switch (type) {
                                case "boolean" -> "must be true or false";
                                case "int" -> "must be a whole number";
                                default -> "must be a number";
                            });
                }
                out.set(e.getKey(), v);
            }
            return out;
        }

        private List<String> strings(JsonNode v, String path) {
            if (v == null || v.isNull()) return List.of();
            if (!v.isArray()) {
                problem(path, "must be a list of strings");
                return List.of();
            }
            var out = new ArrayList<String>();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isString()) problem(path + "[" + i + "]", "must be a string");
                else out.add(v.get(i).asString());
            }
            return out;
        }

        private List<String> names(JsonNode v, String path) {
            var names = strings(v, path);
            for (int i = 0; i < names.size(); i++) {
                if (!SECRET_NAME.matcher(names.get(i)).matches()) {
                    problem(
                            path + "[" + i + "]",
                            "is not a secret name (letters, digits and '_', not starting with a"
                                    + " digit); give names only, never values");
                }
            }
            return List.copyOf(new java.util.LinkedHashSet<>(names));
        }
    }
}

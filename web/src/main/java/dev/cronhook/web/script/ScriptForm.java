package dev.cronhook.web.script;

import dev.cronhook.api.script.EgressRequest;
import dev.cronhook.api.script.ScriptRequest;
import dev.cronhook.api.script.ScriptView;
import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.validation.InvalidInputException;
import dev.cronhook.core.validation.Violations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.util.MultiValueMap;

/**
 * The editor's form as the user typed it: kept verbatim so a page with errors shows exactly what was sent, and
 * turned into the api's {@link ScriptRequest}.
 */
public record ScriptForm(
        String name,
        String code,
        List<Dependency> dependencies,
        boolean webhook,
        boolean cron,
        String cronExpression,
        String cronTimezone,
        String overlapPolicy,
        String catchUpPolicy,
        String timeoutSeconds,
        String memoryMb,
        String maxConcurrency,
        String egressAllow,
        String language,
        List<SourceFile> files,
        String environment) {

    /** One row of the dependency list. */
    public record Dependency(String name, String range) {}

    /** A file of the script besides its entry (the entry is {@code code}), as the editor shows and sends it. */
    public record SourceFile(String path, String content) {}

    public ScriptForm {
        files = files == null ? List.of() : List.copyOf(files);
        environment = environment == null ? "" : environment;
    }

    /** The template a new Node.js script starts from (its starting points are in {@link StartingPoints}). */
    static final String TEMPLATE = StartingPoints.TEMPLATE;

    static final String PYTHON_TEMPLATE = """
            # Runs on every webhook call and cron tick. Return a value to record it as the run's result,
            # or cronhook.Response(body, status=..., headers=...) to answer a webhook call.
            from cronhook import Response


            def handler(event, ctx):
                print("triggered by", event["trigger"])
                return {"ok": True, "received": event.get("body")}
            """;

    /** The template a new script of {@code language} starts from. */
    static String templateFor(String language) {
        return "python".equals(language) ? PYTHON_TEMPLATE : TEMPLATE;
    }

    static ScriptForm blank(int defaultTimeout, int defaultMemory) {
        return new ScriptForm(
                "",
                StartingPoints.TEMPLATE,
                List.of(),
                true,
                false,
                "*/5 * * * *",
                "UTC",
                "skip",
                "run-once",
                Integer.toString(defaultTimeout),
                Integer.toString(defaultMemory),
                "",
                "",
                "node",
                List.of(),
                "");
    }

    /** This form for a script of {@code environment} (a new script's choice). */
    ScriptForm inEnvironment(String environment) {
        return new ScriptForm(
                name,
                code,
                dependencies,
                webhook,
                cron,
                cronExpression,
                cronTimezone,
                overlapPolicy,
                catchUpPolicy,
                timeoutSeconds,
                memoryMb,
                maxConcurrency,
                egressAllow,
                language,
                files,
                environment);
    }

    static ScriptForm of(ScriptView s) {
        var deps = new ArrayList<Dependency>();
        s.dependencies().forEach((n, r) -> deps.add(new Dependency(n, r)));
        var c = s.cron();
        return new ScriptForm(
                s.name(),
                s.code(),
                deps,
                s.webhook(),
                c != null,
                c == null ? "*/5 * * * *" : c.expression(),
                c == null ? "UTC" : c.timezone(),
                c == null ? "skip" : c.overlapPolicy(),
                c == null ? "run-once" : c.catchUpPolicy(),
                Integer.toString(s.timeoutSeconds()),
                Integer.toString(s.memoryMb()),
                s.maxConcurrency() == null ? "" : Integer.toString(s.maxConcurrency()),
                s.egress() == null ? "" : String.join("\n", s.egress().allow()),
                s.language() == null ? "node" : s.language(),
                others(s),
                s.environment());
    }

    /** The script's files besides its entry, in the order the api gives them (the entry first, so skipped). */
    private static List<SourceFile> others(ScriptView s) {
        var out = new ArrayList<SourceFile>();
        if (s.files() == null) return out;
        String entry = LanguageRuntime.of(s.language()).entryFile();
        s.files().forEach((path, text) -> {
            if (!path.equals(entry)) out.add(new SourceFile(path, text));
        });
        return out;
    }

    /** The entry's name among the files: {@code index.mjs}, {@code main.py}. */
    public String entryFile() {
        return LanguageRuntime.names().contains(language)
                ? LanguageRuntime.of(language).entryFile()
                : LanguageRuntime.NODE.entryFile();
    }

    static ScriptForm from(MultiValueMap<String, String> form) {
        var names = form.getOrDefault("dependencyName", List.of());
        var ranges = form.getOrDefault("dependencyRange", List.of());
        var deps = new ArrayList<Dependency>();
        for (int i = 0; i < Math.max(names.size(), ranges.size()); i++) {
            String n = i < names.size() ? names.get(i).trim() : "";
            String r = i < ranges.size() ? ranges.get(i).trim() : "";
            if (!n.isEmpty() || !r.isEmpty()) deps.add(new Dependency(n, r));
        }
        return new ScriptForm(
                value(form, "name"),
                // a browser sends a textarea's line breaks as CRLF: the code keeps the editor's LF, so a save that
                // changes only settings does not make a new version of a script written through the API
                form.getFirst("code") == null ? "" : form.getFirst("code").replace("\r\n", "\n"),
                deps,
                form.containsKey("webhook"),
                form.containsKey("cron"),
                value(form, "cronExpression"),
                value(form, "cronTimezone"),
                value(form, "overlapPolicy"),
                value(form, "catchUpPolicy"),
                value(form, "timeoutSeconds"),
                value(form, "memoryMb"),
                value(form, "maxConcurrency"),
                form.getFirst("egressAllow") == null ? "" : form.getFirst("egressAllow"),
                value(form, "language").isEmpty() ? "node" : value(form, "language"),
                filesOf(form),
                value(form, "environment"));
    }

    /**
     * The files besides the entry, from the repeated {@code filePath} and {@code fileContent} fields (one pair a
     * file, in order); a pair with neither a path nor text is an unused slot and left out.
     */
    private static List<SourceFile> filesOf(MultiValueMap<String, String> form) {
        var paths = form.getOrDefault("filePath", List.of());
        var contents = form.getOrDefault("fileContent", List.of());
        var out = new ArrayList<SourceFile>();
        for (int i = 0; i < Math.max(paths.size(), contents.size()); i++) {
            String path =
                    i < paths.size() && paths.get(i) != null ? paths.get(i).strip() : "";
            String text = i < contents.size() && contents.get(i) != null
                    ? contents.get(i).replace("\r\n", "\n")
                    : "";
            if (!path.isEmpty() || !text.isEmpty()) out.add(new SourceFile(path, text));
        }
        return out;
    }

    /** The api request; problems the api cannot see (a row without a name, a number that is not one) throw. */
    /** The retry policy a script has, to carry through a save from this form (which does not edit it). */
    static ScriptRequest.RetryRequest retryOf(dev.cronhook.api.script.ScriptView current) {
        var r = current.retry();
        return r == null ? null : new ScriptRequest.RetryRequest(r.maxAttempts(), r.initialDelaySeconds(), r.factor());
    }

    ScriptRequest toRequest(ScriptRequest.RetryRequest retry) {
        var v = new Violations();
        Map<String, String> deps = new LinkedHashMap<>();
        for (var d : dependencies) {
            if (d.name().isEmpty()) v.add("dependencies.", "package name is required");
            else if (deps.containsKey(d.name())) v.add("dependencies." + d.name(), "is listed twice");
            else deps.put(d.name(), d.range());
        }
        Integer timeout = number(timeoutSeconds, "timeoutSeconds", v);
        Integer memory = number(memoryMb, "memoryMb", v);
        // empty means no limit, which the api takes as null
        Integer concurrency = number(maxConcurrency, "maxConcurrency", v);
        Map<String, String> sources = sources(v);
        v.throwIfAny();
        var cronRequest =
                cron ? new ScriptRequest.CronRequest(cronExpression, cronTimezone, overlapPolicy, catchUpPolicy) : null;
        return new ScriptRequest(
                name,
                sources == null ? code : null,
                deps,
                webhook,
                cronRequest,
                timeout,
                memory,
                concurrency,
                retry,
                egressOf(egressAllow),
                language,
                null,
                null,
                sources,
                environment.isBlank() ? null : environment.strip());
    }

    /**
     * Every file, the entry ({@code code}) first, for the api's {@code files}; null for a one-file script, which goes
     * as {@code code} alone. The api checks the paths; what it cannot see here (a path given twice, a file without
     * one, a file named as the entry) is added to {@code v}.
     */
    private Map<String, String> sources(Violations v) {
        if (files.isEmpty()) return null;
        var out = new LinkedHashMap<String, String>();
        out.put(entryFile(), code);
        for (var file : files) {
            if (file.path().isEmpty()) v.add("files.", "a file needs a path");
            else if (file.path().equals(entryFile())) {
                v.add("files." + file.path(), "is the entry's name; the entry is the first file");
            } else if (out.putIfAbsent(file.path(), file.content()) != null) {
                v.add("files." + file.path(), "is there twice");
            }
        }
        return out;
    }

    /** The outbound-network field, one host per line (blank lines left out), as the api's request. */
    static EgressRequest egressOf(String lines) {
        if (lines == null) return new EgressRequest(List.of());
        return new EgressRequest(
                lines.lines().map(String::strip).filter(line -> !line.isEmpty()).toList());
    }

    private static Integer number(String text, String field, Violations v) {
        if (text == null || text.isBlank()) return null;
        try {
            return Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            v.add(field, "must be a whole number");
            return null;
        }
    }

    private static String value(MultiValueMap<String, String> form, String key) {
        String s = form.getFirst(key);
        return s == null ? "" : s.trim();
    }

    /** The violations of a failed save, by field, for the page to show next to each field. */
    static Map<String, String> errorsOf(InvalidInputException e) {
        return errorsOf(e, null);
    }

    /** As {@link #errorsOf(InvalidInputException)}, the entry's ({@code files.index.mjs}) shown as the code's. */
    Map<String, String> errors(InvalidInputException e) {
        return errorsOf(e, "files." + entryFile());
    }

    private static Map<String, String> errorsOf(InvalidInputException e, String entryField) {
        var out = new LinkedHashMap<String, String>();
        for (var v : e.violations()) {
            // a Python script's packages are the same rows of the form as a Node.js script's dependencies
            String field = v.field().startsWith("requirements")
                    ? "dependencies" + v.field().substring("requirements".length())
                    : v.field();
            if (field.equals(entryField)) field = "code";
            out.merge(field, v.message(), (a, b) -> a + "; " + b);
        }
        return out;
    }

    /** The paths of the files besides the entry, for the page to tell a file's error from another field's. */
    public List<String> filePaths() {
        return files.stream().map(SourceFile::path).toList();
    }
}

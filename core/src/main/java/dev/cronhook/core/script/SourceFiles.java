package dev.cronhook.core.script;

import dev.cronhook.core.harness.LanguageRuntime;
import dev.cronhook.core.validation.Violations;
import dev.cronhook.core.wire.Wire;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A script's files as a user gives them ({@code files: {path: text}}), sorted out: the entry's text ({@code
 * index.mjs}, {@code main.py}: the script's {@code code}), the other files that go beside it, and the dependencies of a
 * manifest among them ({@code package.json}'s {@code dependencies}, a {@code requirements.txt}; null when there is
 * none), which is read, not stored as a file.
 */
public record SourceFiles(String code, SortedMap<String, String> others, Map<String, String> manifestDependencies) {
    public static final int MAX_FILES = 50;
    public static final int MAX_TOTAL_BYTES = 1024 * 1024;
    public static final int MAX_PATH_LENGTH = 200;
    public static final int MAX_DEPTH = 6;

    // a path segment: no dot first (no dotfiles, no "." or ".."), no separators, no spaces or shell specials
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    public SourceFiles {
        others = others == null ? new TreeMap<>() : new TreeMap<>(others);
    }

    /**
     * Sorts out {@code files} for a script in {@code runtime}, with {@code code} the one-file shorthand (null when not
     * given; when both are, they must agree). Every problem is added to {@code v} under {@code files.<path>} or {@code
     * code}; what is returned is only meaningful when none was. Neither given: the code is null (the caller's
     * "is required" check says so).
     */
    public static SourceFiles of(
            Map<String, String> files, String code, LanguageRuntime runtime, int maxFileBytes, Violations v) {
        if (files == null) return new SourceFiles(code, new TreeMap<>(), null);
        if (files.size() > MAX_FILES) {
            v.add("files", "at most " + MAX_FILES + " files");
            return new SourceFiles(code, new TreeMap<>(), null);
        }
        var others = new TreeMap<String, String>();
        String entry = null;
        String manifest = null;
        long total = 0;
        for (var file : files.entrySet()) {
            String path = file.getKey();
            String text = file.getValue();
            String field = "files." + path;
            String problem = pathProblem(path, runtime);
            if (problem != null) {
                v.add(field, problem);
                continue;
            }
            if (text == null) {
                v.add(field, "must be text (UTF-8)");
                continue;
            }
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            total += bytes;
            if (bytes > maxFileBytes) v.add(field, "must be at most " + maxFileBytes / 1024 + " KiB");
            else if (text.indexOf('\0') >= 0) v.add(field, "must be text, without NUL characters");
            if (path.equals(runtime.entryFile())) entry = text;
            else if (path.equals(runtime.manifestFile())) manifest = text;
            else others.put(path, text);
        }
        if (total > MAX_TOTAL_BYTES) v.add("files", "must be at most " + MAX_TOTAL_BYTES / 1024 + " KiB in all");
        if (entry == null) {
            v.add("files", "must include the entry " + runtime.entryFile() + " (the file whose default export runs)");
        } else if (code != null && !code.equals(entry)) {
            v.add("code", "differs from files." + runtime.entryFile() + ": give the code one way");
        }
        Map<String, String> dependencies = manifest == null ? null : manifestDependencies(manifest, runtime, v);
        return new SourceFiles(entry, others, dependencies);
    }

    /** Why {@code path} cannot be a file of a script in {@code runtime}; null when it can. */
    public static String pathProblem(String path, LanguageRuntime runtime) {
        if (path == null || path.isEmpty()) return "a file needs a path";
        if (path.length() > MAX_PATH_LENGTH) return "a path has at most " + MAX_PATH_LENGTH + " characters";
        String[] segments = path.split("/", -1);
        if (segments.length > MAX_DEPTH) return "a path is at most " + MAX_DEPTH + " levels deep";
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches()) {
                return "is not a relative path of letters, digits, '.', '_' and '-' (no leading dot, no '..', "
                        + "'/' between directories)";
            }
        }
        if (!path.equals(runtime.manifestFile()) && runtime.reserves(path)) {
            return "is a name Cronhook's image uses itself; rename the file";
        }
        return null;
    }

    /** Every file, the entry under its name first (the manifest is not among them: it became the dependencies). */
    public Map<String, String> all(LanguageRuntime runtime) {
        var all = new LinkedHashMap<String, String>();
        if (code != null) all.put(runtime.entryFile(), code);
        all.putAll(others);
        return all;
    }

    private static Map<String, String> manifestDependencies(String text, LanguageRuntime runtime, Violations v) {
        String field = "files." + runtime.manifestFile();
        if (runtime == LanguageRuntime.PYTHON) {
            try {
                return PythonRequirements.parse(text);
            } catch (IllegalArgumentException e) {
                v.add(field, e.getMessage());
                return Map.of();
            }
        }
        JsonNode manifest;
        try {
            manifest = Wire.json().readTree(text);
        } catch (JacksonException e) {
            v.add(field, "is not JSON: " + e.getOriginalMessage());
            return Map.of();
        }
        if (manifest == null || !manifest.isObject()) {
            v.add(field, "must be a JSON object");
            return Map.of();
        }
        var deps = new TreeMap<String, String>();
        JsonNode given = manifest.get("dependencies");
        if (given == null || given.isNull()) return deps;
        if (!given.isObject()) {
            v.add(field, "dependencies must be an object of package names to version ranges");
            return deps;
        }
        for (var dep : given.properties()) {
            if (!dep.getValue().isString()) {
                v.add(field, "the version range of " + dep.getKey() + " must be a string");
            } else {
                deps.put(dep.getKey(), dep.getValue().asString());
            }
        }
        return deps;
    }
}

package dev.cronhook.core.script;

import dev.cronhook.core.validation.Violations;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The checks every script's code and dependency map pass, saved or only tried out. */
public final class ScriptSource {
    private static final Pattern EXPORT_DEFAULT = Pattern.compile("export\\s+default\\b");
    private static final Pattern PYTHON_HANDLER = Pattern.compile("(?m)^(async\\s+)?def\\s+handler\\s*\\(");

    private ScriptSource() {}

    /** Checks the code: present, at most {@code maxBytes} of UTF-8, with a default export. */
    public static void checkCode(String code, int maxBytes, Violations v) {
        checkCode(code, "node", maxBytes, v);
    }

    /**
     * Checks the code of a script in {@code language}: present, at most {@code maxBytes} of UTF-8, with its entry
     * point (a default export; for Python, a top-level {@code def handler(event, ctx)} or {@code async def}).
     */
    public static void checkCode(String code, String language, int maxBytes, Violations v) {
        if ("python".equals(language)) {
            if (code == null || code.isBlank()) v.add("code", "is required");
            else if (code.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
                v.add("code", "must be at most " + maxBytes / 1024 + " KiB");
            } else if (!PYTHON_HANDLER.matcher(code).find()) {
                v.add("code", "must define a handler: def handler(event, ctx): ...");
            }
            return;
        }
        if (code == null || code.isBlank()) v.add("code", "is required");
        else if (code.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            v.add("code", "must be at most " + maxBytes / 1024 + " KiB");
        } else if (!EXPORT_DEFAULT.matcher(code).find()) {
            v.add("code", "must export a default function: export default async function (event, ctx) { ... }");
        }
    }

    /** Checks npm names and ranges; returns the valid ones sorted by name, ranges trimmed (null map: none). */
    public static SortedMap<String, String> checkDependencies(Map<String, String> dependencies, int max, Violations v) {
        var deps = new TreeMap<String, String>();
        if (dependencies == null) return deps;
        if (dependencies.size() > max) v.add("dependencies", "at most " + max + " dependencies");
        dependencies.forEach((name, range) -> {
            String nameProblem = NpmPackageName.problem(name);
            if (nameProblem != null) v.add("dependencies." + name, "package name " + nameProblem);
            String rangeProblem = NpmVersionRange.problem(range);
            if (rangeProblem != null) v.add("dependencies." + name, "version " + rangeProblem);
            if (nameProblem == null && rangeProblem == null) deps.put(name, range.trim());
        });
        return deps;
    }

    /** Checks a Python script's requirements (project name to version specifier); returns them sorted. */
    public static SortedMap<String, String> checkRequirements(Map<String, String> requirements, int max, Violations v) {
        var reqs = new TreeMap<String, String>();
        if (requirements == null) return reqs;
        if (requirements.size() > max) v.add("requirements", "at most " + max + " requirements");
        requirements.forEach((name, specifier) -> {
            String problem = PythonRequirements.problem(name, specifier);
            if (problem != null) v.add("requirements." + name, problem);
            else reqs.put(name, specifier == null ? "" : specifier.strip());
        });
        return reqs;
    }
}

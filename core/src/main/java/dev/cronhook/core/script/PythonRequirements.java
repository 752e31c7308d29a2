package dev.cronhook.core.script;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A Python script's requirements: project name to version specifier ({@code ">=2.31"}, {@code "==1.0,<2"}; blank
 * or {@code "*"} for any). Only names and specifiers: no URLs, paths, extras, markers or pip options, so a
 * requirement can neither point pip elsewhere nor run a build.
 */
public final class PythonRequirements {
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9]([A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$");
    private static final Pattern CLAUSE =
            Pattern.compile("^(===|==|!=|~=|<=|>=|<|>)\\s*[A-Za-z0-9][A-Za-z0-9.*+!_-]{0,62}$");
    private static final Pattern LINE = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9._-]*)\\s*(.*)$");

    private PythonRequirements() {}

    /** Why a requirement is refused, or null when it is fine. */
    public static String problem(String name, String specifier) {
        if (name == null || !NAME.matcher(name).matches()) {
            return "'" + name + "' is not a Python project name (letters, digits, '.', '_' and '-')";
        }
        if (specifier == null || specifier.isBlank() || specifier.strip().equals("*")) return null;
        for (String clause : specifier.split(",", -1)) {
            if (!CLAUSE.matcher(clause.strip()).matches()) {
                return "'" + specifier + "' is not a version specifier (such as >=2.31, ==1.0 or >=1,<2)";
            }
        }
        return null;
    }

    /** The requirements as pip reads them, one a line, sorted by normalized name. */
    public static String render(Map<String, String> requirements) {
        var sorted = new TreeMap<String, String>();
        requirements.forEach((name, spec) -> sorted.put(normalize(name), spec == null ? "" : spec.strip()));
        var out = new StringBuilder();
        sorted.forEach((name, spec) -> out.append(name)
                .append(spec.equals("*") ? "" : spec.replace(" ", ""))
                .append('\n'));
        return out.toString();
    }

    /**
     * Reads a requirements.txt of plain {@code name<specifier>} lines (comments and blank lines allowed); throws
     * {@link IllegalArgumentException} with the line for anything else (options, URLs, paths, markers).
     */
    public static Map<String, String> parse(String requirementsTxt) {
        var out = new LinkedHashMap<String, String>();
        int n = 0;
        for (String raw : requirementsTxt.split("\n", -1)) {
            n++;
            String line = raw.replaceFirst("(^|\\s)#.*$", "").strip();
            if (line.isEmpty()) continue;
            var m = LINE.matcher(line);
            String problem = m.matches() ? problem(m.group(1), m.group(2)) : "is not 'name' or 'name<specifier>'";
            if (problem != null) {
                throw new IllegalArgumentException("requirements.txt line " + n + ": " + line + ": " + problem);
            }
            out.put(m.group(1), m.group(2).strip());
        }
        return out;
    }

    /** PEP 503's normalized name. */
    public static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }
}

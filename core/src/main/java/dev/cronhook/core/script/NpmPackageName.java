package dev.cronhook.core.script;

import java.util.regex.Pattern;

/** npm's rules for a package name (as validate-npm-package-name applies them to new packages). */
public final class NpmPackageName {
    private static final Pattern UNSCOPED = Pattern.compile("[a-z0-9][a-z0-9._~-]*");
    private static final Pattern SCOPED = Pattern.compile("@[a-z0-9][a-z0-9._~-]*/[a-z0-9][a-z0-9._~-]*");
    private static final int MAX_LENGTH = 214;

    private NpmPackageName() {}

    /** Returns null when the name is valid, else what is wrong with it. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) return "must not be empty";
        if (name.length() > MAX_LENGTH) return "must be at most " + MAX_LENGTH + " characters";
        if (!name.equals(name.trim())) return "must not have leading or trailing spaces";
        if (name.startsWith(".") || name.startsWith("_")) return "must not start with a dot or an underscore";
        if (!name.equals(name.toLowerCase(java.util.Locale.ROOT))) return "must be lowercase";
        if (name.equals("node_modules") || name.equals("favicon.ico")) return "is a reserved name";
        if (!(UNSCOPED.matcher(name).matches() || SCOPED.matcher(name).matches())) {
            return "may contain only lowercase letters, digits, '-', '.', '_', '~' and one '@scope/' prefix";
        }
        return null;
    }
}

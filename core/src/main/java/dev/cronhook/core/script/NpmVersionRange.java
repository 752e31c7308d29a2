package dev.cronhook.core.script;

import java.util.regex.Pattern;

/**
 * npm's rules for a dependency's version: a node-semver range ({@code ^4.17.21}, {@code >=1 <2 || 3.x},
 * {@code 1.2.3 - 2}) or a dist-tag ({@code latest}). URLs, git, GitHub and {@code file:} specs are refused:
 * a build must only fetch from the registry.
 */
public final class NpmVersionRange {
    private static final String NR = "(?:0|[1-9]\\d*)";
    private static final String XR = "(?:[xX*]|" + NR + ")";
    private static final String PARTS = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
    private static final String PARTIAL =
            "v?" + XR + "(?:\\." + XR + "(?:\\." + XR + "(?:-" + PARTS + ")?(?:\\+" + PARTS + ")?)?)?";
    private static final String SIMPLE = "(?:[<>]=?|=|~>?|\\^)?\\s*" + PARTIAL;
    private static final String RANGE =
            "(?:" + PARTIAL + "\\s+-\\s+" + PARTIAL + "|" + SIMPLE + "(?:\\s+" + SIMPLE + ")*)";
    private static final Pattern RANGE_SET = Pattern.compile(RANGE + "(?:\\s*\\|\\|\\s*" + RANGE + ")*");
    private static final Pattern DIST_TAG = Pattern.compile("[a-zA-Z][a-zA-Z0-9._-]*");
    private static final int MAX_LENGTH = 256;

    private NpmVersionRange() {}

    /** Returns null when the spec is valid, else what is wrong with it. */
    public static String problem(String spec) {
        if (spec == null) return "must not be null";
        var s = spec.trim();
        if (s.isEmpty()) return "must not be empty (use \"*\" or \"latest\" for any version)";
        if (s.length() > MAX_LENGTH) return "must be at most " + MAX_LENGTH + " characters";
        if (s.contains(":") || s.contains("/")) {
            return "must be a semver range or a dist-tag; URL, git, GitHub and file: specs are not allowed";
        }
        if (RANGE_SET.matcher(s).matches()) return null;
        if (DIST_TAG.matcher(s).matches() && !s.matches("v\\d.*")) return null;
        return "'" + spec + "' is not a valid semver range (e.g. ^1.2.3, ~1.2, >=1 <2, 1.x) or dist-tag";
    }
}

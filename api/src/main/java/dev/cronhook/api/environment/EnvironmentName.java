package dev.cronhook.api.environment;

import java.util.List;
import java.util.regex.Pattern;

/** The names environments may have, and the two every user has without making them. */
public final class EnvironmentName {
    public static final String DEV = "dev";
    public static final String PROD = "prod";
    public static final List<String> BUILT_IN = List.of(DEV, PROD);

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private EnvironmentName() {}

    /** Why {@code name} cannot name an environment; null when it can. */
    public static String problem(String name) {
        if (name == null || name.isBlank()) return "is required";
        if (!NAME.matcher(name).matches()) {
            return "must be 1 to 32 lowercase letters, digits and '-', starting with a letter";
        }
        return null;
    }
}

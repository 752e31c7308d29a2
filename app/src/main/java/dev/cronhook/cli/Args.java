package dev.cronhook.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's parsed arguments: positionals in order and options by name. Options are {@code --name value}, {@code
 * --name=value} or flags ({@code --json}); {@code --} ends the options. An option the command does not know, a value
 * option without its value, or a flag given a value is a usage error.
 */
public record Args(List<String> positionals, Map<String, String> options) {
    /** The options every command takes. */
    static final Set<String> GLOBAL_FLAGS = Set.of("help", "json");

    /**
     * Parses {@code raw} for a command that takes the value options {@code valued} and the flags {@code flags} (the
     * global flags {@code --help} / {@code -h} and {@code --json} always).
     */
    public static Args parse(String command, List<String> raw, Set<String> valued, Set<String> flags) {
        var positionals = new ArrayList<String>();
        var options = new LinkedHashMap<String, String>();
        for (int i = 0; i < raw.size(); i++) {
            String a = raw.get(i);
            if (a.equals("--")) {
                positionals.addAll(raw.subList(i + 1, raw.size()));
                break;
            }
            if (a.equals("-h")) a = "--help";
            if (!a.startsWith("--") || a.length() == 2) {
                if (a.startsWith("-") && a.length() > 1) {
                    throw CliException.usage("unknown option " + a + " for " + command + hint(command));
                }
                positionals.add(a);
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= raw.size()) throw CliException.usage("--" + name + " needs a value" + hint(command));
                    value = raw.get(++i);
                }
                options.put(name, value);
            } else if (flags.contains(name) || GLOBAL_FLAGS.contains(name)) {
                if (value != null && !value.equals("true") && !value.equals("false")) {
                    throw CliException.usage("--" + name + " takes no value" + hint(command));
                }
                options.put(name, value == null ? "true" : value);
            } else {
                throw CliException.usage("unknown option --" + name + " for " + command + hint(command));
            }
        }
        return new Args(List.copyOf(positionals), Map.copyOf(options));
    }

    private static String hint(String command) {
        return " (see cronhook " + command + " --help)";
    }

    public boolean flag(String name) {
        return "true".equals(options.get(name));
    }

    public String option(String name, String otherwise) {
        return options.getOrDefault(name, otherwise);
    }

    public boolean has(String name) {
        return options.containsKey(name);
    }

    /** A whole-number option, at least {@code min}. */
    public int intOption(String name, int otherwise, int min, int max) {
        String v = options.get(name);
        if (v == null) return otherwise;
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw CliException.usage("--" + name + " must be a whole number between " + min + " and " + max);
    }

    /** The positionals, checked to be between {@code min} and {@code max} in number. */
    public List<String> positionals(String command, int min, int max) {
        if (positionals.size() < min) throw CliException.usage("too few arguments" + hint(command));
        if (positionals.size() > max) {
            throw CliException.usage("unexpected argument " + positionals.get(max) + hint(command));
        }
        return positionals;
    }
}

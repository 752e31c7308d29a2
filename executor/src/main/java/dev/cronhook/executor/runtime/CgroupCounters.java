package dev.cronhook.executor.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the event counters the kernel keeps in a cgroup's files ({@code pids.events}, {@code memory.events}). Read
 * after every call of a warm sandbox (did the call hit a limit?), so without a regular expression: splitting each
 * line on {@code \s+} compiled a pattern per line, and was most of this read's cost.
 */
public final class CgroupCounters {
    private CgroupCounters() {}

    /** The value of the line {@code name value} in {@code file}, or 0 when the file or the line is not there. */
    public static long read(Path file, String name) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return 0; // gone with its sandbox, or not a file this kernel has
        }
        return valueIn(text, name);
    }

    /** The value of the line {@code name value} in {@code text} (a counters file's content), or 0 when not there. */
    public static long valueIn(String text, String name) {
        for (String line : text.split("\n")) { // one character: split's plain path, no pattern
            var value = valueOf(line, name);
            if (value != null) return value;
        }
        return 0;
    }

    /** The value of {@code line} when it is {@code name value} (blanks around either), else null. */
    private static Long valueOf(String line, String name) {
        String trimmed = line.strip();
        if (!trimmed.startsWith(name) || trimmed.length() == name.length()) return null;
        if (!Character.isWhitespace(trimmed.charAt(name.length()))) return null; // a longer name that starts alike
        try {
            return Long.parseLong(trimmed.substring(name.length()).strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

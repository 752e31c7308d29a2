package dev.cronhook.executor.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the event counters the kernel keeps in a cgroup's files ({@code pids.events}, {@code memory.events}). Read
 * after every call of a warm sandbox (did the call hit a limit?), so without a regular expression: splitting each
 * line on {@code \s+} compiled a pattern per line, and was most of this read's cost.
 */
public final class CgroupCounters {
    /** Larger than a counters file, and than the process list of a container at rest. */
    private static final int SMALL = 512;

    private CgroupCounters() {}

    /**
     * The whole of a small file the kernel makes on read (a cgroup's counters or process list): opened, read, closed,
     * three system calls where {@link Files#readString} asks the size first and reads again for its end.
     */
    public static String readSmall(Path file) throws IOException {
        try (var channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return whole(channel::read);
        }
    }

    /** Reads into a buffer from its position on; how many bytes it read, or -1 at the end. */
    interface Reads {
        int into(ByteBuffer buffer) throws IOException;
    }

    /**
     * The whole of a small file the kernel makes on read, read from its start by {@code reads}. A read that fills less
     * than it was given is the end: the kernel makes such a file whole for each read, as much as fits.
     */
    static String whole(Reads reads) throws IOException {
        var buffer = ByteBuffer.allocate(SMALL);
        while (reads.into(buffer) > 0 && !buffer.hasRemaining()) {
            buffer = ByteBuffer.allocate(buffer.capacity() * 2).put(buffer.flip());
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    }

    /** The value of the line {@code name value} in {@code file}, or 0 when the file or the line is not there. */
    public static long read(Path file, String name) {
        return valueIn(() -> readSmall(file), name);
    }

    /** The value of the line {@code name value} in the kernel's {@code file}, or 0 when it or the line is not there. */
    public static long read(KernelFile file, String name) {
        return valueIn(file::read, name);
    }

    private static long valueIn(java.util.concurrent.Callable<String> text, String name) {
        try {
            return valueIn(text.call(), name);
        } catch (Exception e) {
            return 0; // gone with its sandbox, or not a file this kernel has
        }
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

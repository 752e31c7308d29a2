package dev.cronhook.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the event counters the kernel keeps in a cgroup's files ({@code pids.events}, {@code memory.events}). */
public final class CgroupCounters {
    private CgroupCounters() {}

    /** The value of the line {@code name value} in {@code file}, or 0 when the file or the line is not there. */
    public static long read(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2 && parts[0].equals(name)) return Long.parseLong(parts[1]);
            }
        } catch (IOException | RuntimeException e) {
            // gone with its sandbox, or not a file this kernel has
        }
        return 0;
    }
}

package dev.cronhook.executor.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A small file the kernel makes anew on each read from its start (a cgroup's event counters, {@code cgroup.stat},
 * {@code memory.current}), opened once and then read in place: one positional read a look instead of an open, a read
 * and a close, each open a walk of a long path under {@code /sys/fs/cgroup}. Read after every call of a warm sandbox, so
 * this is on every call's path. Not for cgroup v1's {@code cgroup.procs}: v1 keeps the process list it made for an open
 * file and hands the same list to later reads of it, so that one is opened for each look. Thread-safe; once closed,
 * every read fails.
 */
public final class KernelFile implements AutoCloseable {
    private final Path path;
    private FileChannel channel;
    private boolean closed;

    public KernelFile(Path path) {
        this.path = path;
    }

    /** The whole file as the kernel makes it now, read in place from its start. */
    public String read() throws IOException {
        var file = channel();
        return CgroupCounters.whole(buffer -> file.read(buffer, buffer.position()));
    }

    private synchronized FileChannel channel() throws IOException {
        if (closed) throw new IOException(path + " is closed");
        if (channel == null) channel = FileChannel.open(path, StandardOpenOption.READ);
        return channel;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // a read-only file: nothing is lost
        }
        channel = null;
    }
}

package dev.cronhook.executor.runtime.docker;

import dev.cronhook.core.io.FileTrees;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * The private channel to one container's harness: a Unix socket the executor listens on, in a directory of its own
 * that the container sees read-only at {@link #MOUNT}. The harness connects out to it once; the listener is closed
 * and the socket file removed after that first connection, so nobody else can connect and the script cannot put
 * another socket in its place. Closing it closes the connection and removes the directory.
 */
final class HarnessSocket implements Closeable {
    /** Where the directory appears in the container. */
    static final String MOUNT = "/run/cronhook";

    static final String FILE_NAME = "harness.sock";
    // sun_path holds 108 bytes with the terminating NUL
    private static final int MAX_PATH_BYTES = 107;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RANDOM_BYTES = 12;

    private final Path dir;
    private final Path file;
    private final ServerSocketChannel listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile SocketChannel channel;

    private HarnessSocket(Path dir, Path file, ServerSocketChannel listener) {
        this.dir = dir;
        this.file = file;
        this.listener = listener;
    }

    /** Binds a listening socket in a new directory {@code <parent>/<prefix>-<random>}. */
    static HarnessSocket open(Path parent, String prefix) throws IOException {
        Path dir = parent.resolve(prefix + "-" + HexFormat.of().formatHex(randomBytes()));
        Files.createDirectory(dir);
        ServerSocketChannel listener = null;
        try {
            // the container's user (65532) must reach the socket, which needs search permission here, and nothing more
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Path file = dir.resolve(FILE_NAME);
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(file), 1);
            // connecting needs write permission on the socket file: the container's user is not ours
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
            return new HarnessSocket(dir, file, listener);
        } catch (IOException | RuntimeException e) {
            if (listener != null) listener.close();
            FileTrees.deleteQuietly(dir);
            throw e;
        }
    }

    /** The longest parent directory path whose sockets still fit in a Unix socket address. */
    static int maxParentPathBytes(String prefix) {
        return MAX_PATH_BYTES - ("/" + prefix + "-" + "0".repeat(RANDOM_BYTES * 2) + "/" + FILE_NAME).length();
    }

    static boolean fits(Path parent, String prefix) {
        return parent.toString().getBytes(StandardCharsets.UTF_8).length <= maxParentPathBytes(prefix);
    }

    Path dir() {
        return dir;
    }

    /** The socket's path as the harness in the container sees it. */
    static String containerPath() {
        return MOUNT + "/" + FILE_NAME;
    }

    /**
     * Waits for the harness to connect, at most {@code timeout} and only while {@code running} is not done; then
     * closes the listener and removes the socket file. Returns whether the harness connected.
     */
    boolean accept(Duration timeout, CompletableFuture<?> running) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Selector selector = Selector.open()) {
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            while (true) {
                SocketChannel accepted = listener.accept();
                if (accepted != null) {
                    accepted.configureBlocking(true);
                    channel = accepted;
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (running.isDone() || left <= 0) return false;
                // the container's end is noticed within 100 ms; a connection at once
                selector.select(Math.clamp(TimeUnit.NANOSECONDS.toMillis(left), 1, 100));
                selector.selectedKeys().clear();
                if (Thread.interrupted()) throw new InterruptedException("interrupted while waiting for the harness");
            }
        } finally {
            listener.close();
            Files.deleteIfExists(file);
        }
    }

    /** Writes one whole frame; frames from several threads do not interleave. */
    void send(byte[] frame) throws IOException {
        SocketChannel ch = channel;
        if (ch == null) throw new IOException("the harness is not connected");
        var buffer = ByteBuffer.wrap(frame);
        synchronized (this) {
            while (buffer.hasRemaining()) ch.write(buffer);
        }
    }

    /**
     * Reads what the harness sends, on a platform thread of its own, passing each chunk to {@code frames}; runs
     * {@code ended} once the connection is closed, by either side. (A platform thread blocks in read(2); a virtual
     * one would go through the JDK's poller on every frame: an epoll_ctl, a park and an unpark each time.)
     */
    void read(String name, BiConsumer<byte[], Integer> frames, Runnable ended) {
        SocketChannel ch = channel;
        Thread.ofPlatform().daemon().name("harness-socket-" + name).start(() -> {
            var buffer = ByteBuffer.allocateDirect(64 * 1024);
            byte[] bytes = new byte[buffer.capacity()];
            try {
                while (ch.read(buffer) >= 0) {
                    buffer.flip();
                    int n = buffer.remaining();
                    buffer.get(bytes, 0, n);
                    buffer.clear();
                    frames.accept(bytes, n);
                }
            } catch (IOException e) {
                // closed by us, or the harness is gone
            } finally {
                ended.run();
            }
        });
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            listener.close();
            SocketChannel ch = channel;
            if (ch != null) ch.close();
        } catch (IOException e) {
            // closing a socket cannot fail in a way that matters here
        }
        FileTrees.deleteQuietly(dir);
    }

    /** Removes what {@code open} created under {@code parent} with {@code prefix} and nobody closed (a crash). */
    static void removeLeftovers(Path parent, String prefix) {
        if (!Files.isDirectory(parent)) return;
        try (var entries = Files.newDirectoryStream(parent, prefix + "-*")) {
            for (Path dir : entries) FileTrees.deleteQuietly(dir);
        } catch (IOException e) {
            // nothing to clean, or nothing we may clean
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(b);
        return b;
    }
}

package dev.cronhook.executor.runtime.docker;

import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The stdin docker-java pumps into an attached container: frames offered from any thread, read as they come.
 * (PipedInputStream breaks once the thread that wrote last has ended, and virtual threads end all the time.)
 */
final class StdinStream extends InputStream {
    private static final byte[] END = new byte[0];
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current;
    private int pos;
    private volatile boolean closed;

    void offer(byte[] chunk) {
        if (!closed) chunks.add(chunk);
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) return 0;
        try {
            while (current == null || pos >= current.length) {
                current = chunks.take();
                pos = 0;
                if (current == END) {
                    chunks.add(END);
                    return -1;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() {
        closed = true;
        chunks.add(END);
    }
}

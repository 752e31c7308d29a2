package dev.cronhook.executor.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts one output stream into UTF-8 lines; a line longer than {@code maxBytes} keeps its first {@code maxBytes}
 * and is flagged as cut. Not thread-safe: one stream, one thread.
 */
final class LineSplitter {
    /** Receives each line, without its newline. */
    interface Lines {
        void line(String line, boolean cut);
    }

    private final int maxBytes;
    private final Lines lines;
    private byte[] buf = new byte[256];
    private int len;
    private boolean cut;

    LineSplitter(int maxBytes, Lines lines) {
        this.maxBytes = maxBytes;
        this.lines = lines;
    }

    void feed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int start = offset;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') {
                append(bytes, start, i - start);
                emit();
                start = i + 1;
            }
        }
        append(bytes, start, end - start);
    }

    /** Emits what is left after the stream ended without a final newline. */
    void flush() {
        if (len > 0 || cut) emit();
    }

    private void append(byte[] bytes, int from, int n) {
        if (n <= 0) return;
        int room = maxBytes - len;
        if (n > room) {
            cut = true;
            n = Math.max(room, 0);
        }
        if (n == 0) return;
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.min(maxBytes, Math.max(buf.length * 2, len + n)));
        System.arraycopy(bytes, from, buf, len, n);
        len += n;
    }

    private void emit() {
        int n = len;
        if (n > 0 && buf[n - 1] == '\r') n--;
        String line = new String(buf, 0, n, StandardCharsets.UTF_8);
        boolean wasCut = cut;
        len = 0;
        cut = false;
        if (buf.length > 64 * 1024) buf = new byte[256];
        lines.line(line, wasCut);
    }
}

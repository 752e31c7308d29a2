package dev.cronhook.core.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The JavaScript harness that runs inside every script image (and beside the process runtime): it loads the
 * script once and serves invocations over newline-delimited JSON on stdin/stdout. The builder copies it into
 * the image; the executor speaks its protocol.
 */
public final class Harness {
    /** Where the harness, the script and node_modules sit in an image or bundle. */
    public static final String APP_DIR = "/app";

    public static final String FILE_NAME = "harness.mjs";
    public static final String SCRIPT_FILE_NAME = "script.mjs";

    private Harness() {}

    public static byte[] source() {
        try (InputStream in = Harness.class.getResourceAsStream(FILE_NAME)) {
            if (in == null) throw new IllegalStateException("harness.mjs missing from the classpath");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

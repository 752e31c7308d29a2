package dev.cronhook.core.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The JavaScript harness that runs inside every script image (and beside the process runtime): it loads the
 * script once and serves invocations over newline-delimited JSON, on stdin/stdout or, when {@link #SOCKET_ENV}
 * names one, on a Unix socket the executor listens on. The builder copies it into the image and labels the image
 * with the {@link #PROTOCOL} it speaks; the executor speaks its protocol.
 */
public final class Harness {
    /** Where the harness, the script and node_modules sit in an image or bundle. */
    public static final String APP_DIR = "/app";

    public static final String FILE_NAME = "harness.mjs";
    public static final String SCRIPT_FILE_NAME = "script.mjs";

    /**
     * How the error of a run whose result (or reply body) is over the limit starts, as in {@code result too large:
     * N bytes, limit M}: the run fails, and a webhook caller gets 502.
     */
    public static final String RESULT_TOO_LARGE = "result too large: ";

    /** The environment variable naming the Unix socket the harness connects to; unset, it speaks on stdio. */
    public static final String SOCKET_ENV = "CRONHOOK_HARNESS_SOCKET";

    /**
     * The environment variable naming the script a blank sandbox's harness loads on its first call (the executor puts
     * the code there first); unset, the harness loads {@link #SCRIPT_FILE_NAME} beside it at start.
     */
    public static final String SCRIPT_ENV = "CRONHOOK_HARNESS_SCRIPT";

    /**
     * The environment variable listing (comma-separated) the packages a blank sandbox started for a dependency tree
     * loads ahead of its code, from the {@code node_modules} beside {@link #SCRIPT_ENV}.
     */
    public static final String PRELOAD_ENV = "CRONHOOK_HARNESS_PRELOAD";

    /**
     * The Unix socket of the sandbox's egress proxy, when it has one: the harness sends every connection of node's
     * http/https agents and of fetch through it as a {@code CONNECT} tunnel.
     */
    public static final String EGRESS_ENV = "CRONHOOK_EGRESS_SOCKET";

    /** The image label saying which harness protocol an image's harness speaks; images without it speak 1. */
    public static final String PROTOCOL_LABEL = "dev.cronhook.harness.protocol";

    /** 1: stdio only. 2: stdio, or a Unix socket when {@link #SOCKET_ENV} is set. */
    public static final int PROTOCOL = 2;

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

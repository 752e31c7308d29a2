package dev.cronhook.core.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The credential workers (executors, try-out) prove themselves with on the api's internal endpoints, in addition to
 * whatever a queue message carries ({@code CRONHOOK_INTERNAL_TOKEN}, sent in the {@link #HEADER} header).
 */
public final class WorkerCredential {
    /** The request header that carries it. */
    public static final String HEADER = "Cronhook-Worker-Token";

    private WorkerCredential() {}

    /**
     * Whether {@code given} is {@code expected}, in time that does not depend on where they differ or on their
     * lengths (both are hashed first); false when either is null or empty.
     */
    public static boolean matches(String expected, String given) {
        if (expected == null || expected.isEmpty() || given == null || given.isEmpty()) return false;
        return MessageDigest.isEqual(sha256(expected), sha256(given));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

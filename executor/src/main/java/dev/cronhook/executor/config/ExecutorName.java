package dev.cronhook.executor.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The name of one executor replica: its Redis consumer name and the owner label of its containers. Stable across
 * restarts of the same replica, so that a start removes what a killed predecessor left: {@code
 * cronhook.executor.consumer-name} when set, else the host name and a hash of {@code CRONHOOK_HOME} (on Kubernetes
 * the pod name, which a restarted container keeps, with the pod's own engine and leftovers). Two executors in one
 * JVM never hold the same name at once: the second gets a suffix.
 */
public final class ExecutorName implements AutoCloseable {
    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();

    private final String value;

    private ExecutorName(String value) {
        this.value = value;
    }

    static ExecutorName claim(String configured, String home) {
        return claimAs(configured != null && !configured.isBlank() ? configured : host() + "-" + hash(home));
    }

    /**
     * The stable name of another worker that labels containers on the same engine (the try-out worker): {@code
     * <role>-<host>-<hash of home>}, never an executor's.
     */
    public static ExecutorName claimFor(String role, String home) {
        return claimAs(role + "-" + host() + "-" + hash(home));
    }

    private static ExecutorName claimAs(String base) {
        String name = base;
        for (int n = 2; !HELD.add(name); n++) name = base + "-" + n;
        return new ExecutorName(name);
    }

    public String value() {
        return value;
    }

    @Override
    public void close() {
        HELD.remove(value);
    }

    @Override
    public String toString() {
        return value;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "executor";
        }
    }

    private static String hash(String home) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(home.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

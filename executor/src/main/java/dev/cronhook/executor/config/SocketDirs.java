package dev.cronhook.executor.config;

import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Where a role makes its sandboxes' socket directories when the default, under the platform's home, is too long for
 * a Unix socket address (a deep home): a short directory of this installation's own under the system's temporary
 * directory, {@code cronhook-<role>-<hash of the home>}, the same at every start. One that is there already is used
 * only when it is a real directory (not a link) this user owns; otherwise there is none.
 */
public final class SocketDirs {
    private SocketDirs() {}

    /** {@code preferred} when it fits; else the short directory for {@code role} and {@code home}, if it can be had. */
    public static Optional<Path> fitting(Path preferred, String role, String home) {
        if (fits(preferred)) return Optional.of(preferred);
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = tmp.resolve("cronhook-" + role + "-" + hash(home)).toAbsolutePath();
        if (!fits(dir)) dir = Path.of("/tmp", "cronhook-" + role + "-" + hash(home));
        if (!fits(dir)) return Optional.empty();
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir);
                // the sandboxes' user (another uid) must reach its own directory below, and see nothing else here
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
            Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!owner.equals(self)) return Optional.empty();
            return Optional.of(dir);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static boolean fits(Path dir) {
        return dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length
                <= DockerScriptRuntime.maxSocketDirBytes();
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
